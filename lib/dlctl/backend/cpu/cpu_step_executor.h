#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_program.h"
#include "dlctl/backend/step_executor.h"

namespace dlctl {

/// How the CPU trains a step: in passes of `columns` samples (the whole batch, or fewer so that a
/// pass's activations stay in cache), `lanes` of them side by side, one a thread.
struct CpuPassPlan {
    std::int64_t columns = 0;
    int lanes = 1;
};

/// The plan for batches of `batch` samples with `floats_per_sample` floats of activations each,
/// on `threads` threads; a model that mixes the samples of a batch trains it whole.
CpuPassPlan plan_cpu_passes(int threads,
                            std::int64_t batch,
                            std::int64_t floats_per_sample,
                            bool mixes_samples);

/// The CPU's steps. A step is cut into passes of plan().columns samples (dropout masks are keyed
/// on a sample's place in the batch, so any cut draws the same masks); with several threads and
/// a batch of at least a granule a thread, lanes run the passes side by side, each lane in a
/// workspace of its own on one core with single-threaded products. A lane's first pass sets its
/// gradients and later ones add; lanes' gradients are added in lane order, so a step is
/// reproducible for a given thread count. Each pass's loss gradient is divided by the whole
/// step's weight, so the passes add up to the step's mean. The model runs as a CpuProgram (fused
/// dense relu + dropout, input gradients skipped where relu passes none), and the optimizer
/// update is split by the weight columns each thread's products use.
class CpuStepExecutor final : public StepExecutor {
  public:
    CpuStepExecutor(CpuBackend& backend,
                    Sequential& model,
                    const Loss& loss,
                    const StepOptions& options);

    Tensor gradients() const override { return lanes_.front().work.gradients(); }
    std::string describe() const override;
    const CpuPassPlan& plan() const { return plan_; }

  private:
    /// A lane's memory: the program's workspace and the loss's and the predictions' scratch.
    struct Lane {
        Workspace work;
        Buffer loss_scratch;
        Buffer prediction_scratch;  ///< an ensemble's members' predictions
    };

    std::int64_t passes(std::int64_t count) const override;
    void train_batch(const Batch& batch) override;
    /// Lane `lane`'s passes of the batch: lane, lane + lanes, ...
    void run_lane(const Batch& batch, int lane, int lanes, CpuBackend& backend);

    CpuBackend& cpu_;
    CpuProgram program_;
    CpuPassPlan plan_;
    std::vector<Lane> lanes_;
};

}  // namespace dlctl
