#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/backend/step_executor.h"
#include "dlctl/config/spec.h"
#include "dlctl/core/training_state.h"
#include "dlctl/data/dataset.h"
#include "dlctl/inference/batched_inference.h"
#include "dlctl/loss/loss.h"
#include "dlctl/metrics/metrics.h"
#include "dlctl/nn/model_weights.h"
#include "dlctl/nn/sequential.h"
#include "dlctl/optim/optimizer.h"
#include "dlctl/optim/schedule.h"
#include "dlctl/parallel/communicator.h"
#include "dlctl/train/early_stopping.h"
#include "dlctl/train/rank_tensors.h"

namespace dlctl {

class SplitWindows;

struct TrainerOptions {
    int epochs = 1;
    int batch_size = 32;
    std::uint64_t seed = 0;
    std::vector<std::string> metrics;
    int classes = 1;             ///< 0 regression, 1 binary, K multiclass (as prepare_data)
    double target_offset = 0.0;  ///< regression metrics in the target's own units (see
    double target_scale = 1.0;   ///< PreparedData)
    int validate_every = 1;
    bool shuffle = true;  ///< reshuffle the training rows every epoch
    double clip_norm = 0.0;
    double clip_value = 0.0;
    ScheduleSpec schedule;
    std::string dropout_schedule = "constant";       ///< a factor on dropout rates over the run
    std::string weight_decay_schedule = "constant";  ///< a factor on the weight decay
    EarlyStoppingSpec early_stopping;
    bool show_progress = false;  ///< Keras-like progress line on stderr
    double time_limit = 0.0;     ///< seconds; no epoch starts that would end past it (0: none)
    /// A split on disk (Dataset::on_disk) is read and uploaded this many rows at a time (a
    /// multiple of batch_size), each epoch walking the windows in a shuffled order and the rows
    /// of each window shuffled; 0: every split is in memory.
    std::int64_t window_rows = 0;
    /// The ranks training this model together, each on its shard of every split (the shard of
    /// upload); null: this process alone.
    Communicator* ranks = nullptr;
};

/// Loss and metrics of the model on a whole split.
struct Evaluation {
    double loss = 0.0;
    MetricValues metrics;
    ConfusionMatrix confusion;  ///< classification only
};

struct EpochResult {
    int epoch = 0;               ///< 1-based
    double learning_rate = 0.0;  ///< of the epoch's last step
    Evaluation train;            ///< running values over the epoch's steps (dropout active)
    std::optional<Evaluation> validation;
    double seconds = 0.0;
    bool best = false;  ///< a new best of the early-stopping monitor
};

struct FitResult {
    int epochs_run = 0;
    /// max_epochs | early_stopping | interrupted | time_limit
    std::string stop_reason = "max_epochs";
    int best_epoch = 0;  ///< early stopping's best epoch, 0 without it
    double best_value = 0.0;
    bool restored_best = false;  ///< the best epoch's weights were restored
};

/// Value of a logged quantity ("loss", "val_f1", ...) of an epoch; NaN when not logged.
double logged_value(const EpochResult& r, const std::string& name);

/// Mini-batch training of a built model: seeded shuffling every epoch, the last partial batch
/// included, a learning-rate schedule, gradient clipping, loss and metrics over whole epochs,
/// validation every N epochs, early stopping with best-weight restore, and a clean stop on Ctrl-C
/// (InterruptGuard). How each step runs on the device is its StepExecutor's business.
///
/// Data-parallel on several ranks (options.ranks): every rank shuffles all rows of the split the
/// same way, so a step's batch is the one a single process would take; each rank computes the
/// gradient of its own rows of it (divided by the whole batch's Σ w), the ranks sum them
/// (Communicator::sum) and every rank applies the same update. Losses, metrics and the decisions
/// that end training (early stopping, time limit, Ctrl-C) are the ranks' together.
class Trainer {
  public:
    /// `executor`: how steps run (tests choose one); null: make_step_executor's for `backend`.
    Trainer(Backend& backend,
            Sequential& model,
            const Loss& loss,
            Optimizer& optimizer,
            TrainerOptions options,
            std::unique_ptr<StepExecutor> executor = nullptr);
    ~Trainer();

    /// `dataset` (this rank's `shard` of a split; by default all of it) in the backend's
    /// memory; DataError for a target that is not a class index of the task.
    DeviceDataset upload(const Dataset& dataset, std::optional<RowShard> shard = std::nullopt);
    /// Gives every rank rank 0's weights and model state (one process: nothing to do).
    void synchronize_model();
    /// Seconds the ranks spent summing gradients (0 on one process).
    double allreduce_seconds() const { return rank_tensors_ ? rank_tensors_->sum_seconds() : 0.0; }
    /// How the device runs a step, for the log (empty when it runs whole batches plainly).
    std::string describe_steps() const { return executor_->describe(); }
    /// How the ranks sum gradients, for the log (empty on one process).
    std::string describe_ranks() const {
        return rank_tensors_ ? rank_tensors_->describe() : std::string{};
    }

    /// Trains from the epoch after state().epoch to options.epochs, calling `on_epoch` after
    /// each epoch (state() then describes the end of that epoch). Throws DivergedError naming
    /// the epoch and step of the first non-finite loss.
    FitResult fit(const DeviceDataset& train,
                  const DeviceDataset* validation,
                  const std::function<void(const EpochResult&)>& on_epoch);

    /// Loss and metrics over every row of `data`, in evaluation mode (no dropout, running
    /// batch-norm statistics).
    Evaluation evaluate(const DeviceDataset& data);

    /// Counters, schedule and early-stopping state after the last completed epoch; with
    /// checkpoint_buffers() (and the model's weights) all a resumed run needs.
    TrainerState state() const;
    /// Continues from `state` (the checkpoint_buffers() must be restored separately).
    void restore(const TrainerState& state);
    /// Optimizer moments (`optim.<weight name>.<slot>`) and the best weights kept for early
    /// stopping (`best.<weight name>`), laid out like the model's parameters.
    std::vector<ParameterShaped> checkpoint_buffers() const;

  private:
    /// The running state of one epoch's steps.
    struct EpochSteps;

    bool distributed() const { return rank_tensors_.has_value(); }
    /// The windows of the split in the order an epoch takes them (shuffled with it).
    std::vector<std::int64_t> window_order(int epoch, std::int64_t windows) const;
    /// The order of window `window`'s rows (of `windows`), this rank's share of each step and the
    /// steps' divisors (several ranks) into `steps`; returns the window's steps.
    std::int64_t plan_epoch(int epoch,
                            std::int64_t window,
                            std::int64_t windows,
                            const DeviceDataset& train,
                            EpochSteps& steps) const;
    /// `flag` on this rank, or on any rank when several train together.
    bool on_any_rank(bool flag);
    /// One epoch's steps, window by window; false when Ctrl-C stopped it.
    bool train_epoch(int epoch, SplitWindows& train, EpochSteps& steps);
    /// The planned steps of one window; false when Ctrl-C stopped them.
    bool run_steps(int epoch, std::int64_t window_steps, EpochSteps& steps);
    /// The window's step losses and (for metrics) training predictions and targets, kept for
    /// summarize_epoch.
    void collect_window(const Dataset& window, EpochSteps& steps);
    /// The dropout and weight-decay factors of a step at `progress` (steps done / all steps).
    void apply_factor_schedules(double progress);
    /// The steps' loss and metrics checked and summed up (DivergedError for a non-finite loss).
    Evaluation summarize_epoch(int epoch, EpochSteps& steps);
    /// The loss of one window of a split, its predictions into `metrics` (one process) or kept
    /// in host_predictions_ to `gather`.
    LossSum evaluate_window(const DeviceDataset& data, bool gather, MetricAccumulator& metrics);
    /// Whether another epoch as long as the longest so far would end past options.time_limit.
    bool past_time_limit(std::chrono::steady_clock::time_point fit_start,
                         double longest_epoch) const;
    /// past_time_limit on this rank, or on any rank when several train together.
    bool stop_for_time_limit(std::chrono::steady_clock::time_point fit_start, double longest_epoch);
    /// Validation, the schedule's and early stopping's end of epoch, the best weights kept.
    void end_epoch(EpochResult& r, const DeviceDataset* validation);
    void clip_gradients(const Tensor& grads);

    Backend& backend_;
    Sequential& model_;
    const Loss& loss_;
    Optimizer& optimizer_;
    TrainerOptions options_;
    std::unique_ptr<StepExecutor> executor_;
    std::optional<RankTensors> rank_tensors_;    ///< several ranks only
    std::optional<BatchedInference> inference_;  ///< made by the first evaluate
    std::uint64_t global_step_ = 0;
    int epoch_ = 0;  ///< completed epochs
    EarlyStopping stopping_;
    std::optional<LearningRateSchedule> schedule_;  ///< made by fit (needs the steps per epoch)
    std::optional<ScheduleState> restored_schedule_;
    Buffer best_params_, best_state_;
    std::vector<float> host_predictions_, host_targets_;
};

}  // namespace dlctl
