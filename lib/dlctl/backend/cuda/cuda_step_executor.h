#pragma once

#include "dlctl/backend/step_executor.h"
#include "dlctl/nn/workspace.h"

namespace dlctl {

/// The GPU's steps: a whole batch in one call of the model, its layers one by one (a GPU's
/// throughput grows with the batch), the epoch's sample order staged on the device once and each
/// batch gathered from it there, so that a step never waits for the host. Plain C++ over the
/// Backend interface, so it lives in dlctl itself, not in the CUDA module.
class CudaStepExecutor final : public StepExecutor {
  public:
    CudaStepExecutor(Backend& backend,
                     Sequential& model,
                     const Loss& loss,
                     const StepOptions& options);

    Tensor gradients() const override { return work_.gradients(); }

  private:
    std::int64_t passes(std::int64_t /*count*/) const override { return 1; }
    void train_batch(const Batch& batch) override;

    Workspace work_;
    Buffer loss_scratch_, prediction_scratch_;
};

}  // namespace dlctl
