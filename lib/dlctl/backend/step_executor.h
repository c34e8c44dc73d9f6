#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/data/dataset.h"
#include "dlctl/loss/loss.h"
#include "dlctl/parallel/row_shard.h"

namespace dlctl {

class Optimizer;
class Sequential;

/// A dataset resident in a backend's memory, uploaded once.
struct DeviceDataset {
    const Dataset* host = nullptr;
    Buffer features;  ///< n_features × n_rows
    Buffer targets;   ///< 1 × n_rows
    Buffer weights;   ///< 1 × n_rows, or empty
    RowShard shard;   ///< which rows of the split `host` holds (all of them on one process)
};

struct StepOptions {
    std::int64_t batch_size = 32;   ///< the largest batch a step gets
    std::uint64_t seed = 0;         ///< the experiment's (dropout masks)
    bool keep_predictions = false;  ///< keep each epoch's training predictions (metrics)
    /// CPU only, for tests: train in passes of this many columns (rounded up to a multiple of
    /// 8), as many side by side as there are threads; 0: the executor's own plan.
    std::int64_t pass_columns = 0;
    /// Where this process's samples start in each step's batch, for the dropout masks (keyed on a
    /// sample's place): rank × the batch size rounded up to 8 when several ranks share a step, so
    /// that they draw different masks.
    std::int64_t first_sample = 0;
};

/// How one optimisation step runs on a device. The trainer asks for the gradients of a batch,
/// then for the update; everything a device does to make a step fast (passes sized for the
/// cache, lanes per core, fused layers, skipped zeros, the epoch's sample order staged on the
/// device) is its executor's business. A step's loss sums stay in device memory until asked for,
/// so no step waits for the device.
///
/// The steps of an epoch share the work that does not depend on the device (gathering a batch,
/// the loss sums, the training predictions); a device's executor implements passes() and
/// train_batch().
class StepExecutor {
  public:
    StepExecutor(Backend& backend, Sequential& model, const Loss& loss, const StepOptions& options);
    virtual ~StepExecutor();
    StepExecutor(const StepExecutor&) = delete;
    StepExecutor& operator=(const StepExecutor&) = delete;

    /// Starts an epoch of `steps` steps (0: as many as batches of its rows) over the rows of
    /// `data` in `order` (a permutation of its rows).
    void start_epoch(const DeviceDataset& data,
                     const std::vector<std::uint32_t>& order,
                     std::int64_t steps = 0);
    /// The gradient of the weighted mean loss of the epoch's samples order[first, first + count)
    /// (the next step, count ≤ batch_size) into gradients(), without weight penalties: their
    /// Σ ∂(w·ℓ) divided by `divisor`, or when that is 0 by their own Σ w. A step of several
    /// ranks divides each rank's share by the Σ w of the whole batch; a rank may have no sample
    /// of a step (count 0: zero gradients). `global_step` keys the step's dropout masks.
    void compute_gradients(std::int64_t first,
                           std::int64_t count,
                           std::uint64_t global_step,
                           double divisor = 0.0);
    /// The last step's gradients, laid out like the model's parameters.
    virtual Tensor gradients() const = 0;
    /// One optimizer update of the model's parameters from gradients().
    void apply_update(Optimizer& optimizer);

    /// Σ w·ℓ and Σ w of each of this epoch's steps from `first_step` to the last one computed
    /// (waits for the device).
    std::vector<LossSum> step_losses(std::int64_t first_step);
    /// The training predictions (output activation applied; an ensemble's mean over members) of
    /// the epoch's first `rows` samples,
    /// in the epoch's order, outputs × rows (keep_predictions; waits for the device).
    void download_predictions(std::int64_t rows, float* host);
    /// How the device runs a step, for the log; empty when there is nothing to say.
    virtual std::string describe() const { return {}; }

  protected:
    /// One step's batch, gathered into device memory.
    struct Batch {
        Tensor features, targets, weights;  ///< weights empty when unweighted
        std::int64_t first = 0;             ///< its first sample's place in the epoch
        std::uint64_t global_step = 0;
        double divisor = 1.0;         ///< Σ w of the batch (1 when 0): the loss gradient's divisor
        std::int64_t first_slot = 0;  ///< its first pass's loss slot
    };
    /// How many loss slots (passes) a step of `count` samples uses.
    virtual std::int64_t passes(std::int64_t count) const = 0;
    /// The batch's gradients into gradients(); pass p writes its loss sums into
    /// loss_slot(batch.first_slot + p) and, when keep_predictions, its predictions into
    /// predictions(batch.first + column of its first sample, its samples).
    virtual void train_batch(const Batch& batch) = 0;

    Tensor loss_slot(std::int64_t slot) const;
    Tensor predictions(std::int64_t first, std::int64_t count) const;
    Backend& backend() const { return backend_; }
    Sequential& model() const { return model_; }
    /// The loss of the model's logits: for an ensemble, the mean of its members' losses.
    const Loss& loss() const { return member_loss_ ? *member_loss_ : loss_; }
    const StepOptions& options() const { return options_; }

  private:
    double batch_weight(std::int64_t first, std::int64_t count) const;

    Backend& backend_;
    Sequential& model_;
    const Loss& loss_;
    std::unique_ptr<Loss> member_loss_;  ///< for an ensemble: loss_ on each member
    StepOptions options_;
    const DeviceDataset* data_ = nullptr;
    const std::vector<std::uint32_t>* order_ = nullptr;
    IndexBuffer staged_order_;  ///< the epoch's order in device memory
    Buffer batch_features_, batch_targets_, batch_weights_;
    Buffer loss_sums_;                      ///< 2 floats a pass of the epoch
    std::vector<std::int64_t> step_slots_;  ///< each computed step's first slot, then the next
    Buffer predictions_;                    ///< outputs × the epoch's rows
    std::vector<float> host_sums_;
};

/// The step executor of `backend`'s device for `model` (built on it) and `loss`.
std::unique_ptr<StepExecutor> make_step_executor(Backend& backend,
                                                 Sequential& model,
                                                 const Loss& loss,
                                                 const StepOptions& options);

}  // namespace dlctl
