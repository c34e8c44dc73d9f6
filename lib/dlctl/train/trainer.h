#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/config/spec.h"
#include "dlctl/core/training_state.h"
#include "dlctl/data/dataset.h"
#include "dlctl/loss/loss.h"
#include "dlctl/metrics/metrics.h"
#include "dlctl/nn/model_weights.h"
#include "dlctl/nn/sequential.h"
#include "dlctl/optim/optimizer.h"
#include "dlctl/optim/schedule.h"
#include "dlctl/train/early_stopping.h"

namespace dlctl {

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
    EarlyStoppingSpec early_stopping;
    bool show_progress = false;  ///< Keras-like progress line on stderr
    /// Columns of a training pass, rounded up to a multiple of 8; 0: training_pass_plan's (tests
    /// set it to split steps, then run as many lanes as the backend has).
    std::int64_t pass_columns = 0;
};

/// How steps of `batch_size` samples are trained (Backend::plan_passes), or whole batches in one
/// lane when a layer mixes the samples of a batch. A step of several passes adds their gradients,
/// lane by lane in a fixed order, and then updates once: the same step as a single pass, up to
/// float rounding.
Backend::PassPlan training_pass_plan(const Backend& backend,
                                     const Sequential& model,
                                     std::int64_t batch_size);

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
    std::string stop_reason = "max_epochs";  ///< max_epochs | early_stopping | interrupted
    int best_epoch = 0;                      ///< early stopping's best epoch, 0 without it
    double best_value = 0.0;
    bool restored_best = false;  ///< the best epoch's weights were restored
};

/// Value of a logged quantity ("loss", "val_f1", ...) of an epoch; NaN when not logged.
double logged_value(const EpochResult& r, const std::string& name);

/// A dataset resident in a backend's memory, uploaded once.
struct DeviceDataset {
    const Dataset* host = nullptr;
    Buffer features;  ///< n_features × n_rows
    Buffer targets;   ///< 1 × n_rows
    Buffer weights;   ///< 1 × n_rows, or empty
};

/// Mini-batch training of a built model: seeded shuffling every epoch, the last partial batch
/// included, a learning-rate schedule, gradient clipping, loss and metrics over whole epochs,
/// validation every N epochs, early stopping with best-weight restore, and a clean stop on Ctrl-C
/// (InterruptGuard).
class Trainer {
  public:
    Trainer(Backend& backend,
            Sequential& model,
            Loss& loss,
            Optimizer& optimizer,
            TrainerOptions options);

    DeviceDataset upload(const Dataset& dataset);

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
    /// A model and loss that passes run on: the trained ones in lane 0, replicas in the others.
    struct Lane {
        Sequential* model = nullptr;
        Loss* loss = nullptr;
        std::unique_ptr<Sequential> replica;
        std::unique_ptr<Loss> replica_loss;
    };

    /// The gradients of the step whose batch (`count` rows from `first` of the epoch's `order`)
    /// is in the batch buffers, pass by pass on the lanes, left in the model's gradients; each
    /// pass's loss goes to loss slot first_slot + pass.
    void compute_gradients(const Dataset& host,
                           const std::vector<std::uint32_t>& order,
                           std::int64_t first,
                           std::int64_t count,
                           std::int64_t first_slot,
                           bool track_metrics);
    /// A step's rows and how they are split, as compute_gradients' passes read them.
    struct StepPasses {
        const Dataset& host;
        const std::vector<std::uint32_t>& order;
        std::int64_t first, count, first_slot;
        bool track_metrics;
        std::int64_t passes;     ///< of plan_.columns (the last one may be narrower)
        int lanes;               ///< lane l runs passes l, l + lanes, ...
        double step_normalizer;  ///< loss_normalizer of the whole step (passes > 1)
    };
    /// One lane's passes of a step, on `backend`; its first pass sets the lane's gradients.
    void run_passes(const StepPasses& step, int lane_index, Backend& backend);
    void clip_gradients();

    Backend& backend_;
    Sequential& model_;
    Loss& loss_;
    Optimizer& optimizer_;
    TrainerOptions options_;
    Backend::PassPlan plan_;  ///< columns of a training or evaluation pass, lanes of training
    std::vector<Lane> lanes_;
    std::uint64_t global_step_ = 0;
    int epoch_ = 0;  ///< completed epochs
    EarlyStopping stopping_;
    std::optional<LearningRateSchedule> schedule_;  ///< made by fit (needs the steps per epoch)
    std::optional<ScheduleState> restored_schedule_;
    Buffer batch_features_, batch_targets_, batch_weights_, predictions_, losses_;
    /// The training predictions of a whole epoch, in step order: they come to the host once per
    /// epoch for the metrics, so a step never waits for the device.
    Buffer epoch_predictions_;
    Buffer best_params_, best_state_;
    std::vector<float> host_predictions_, host_targets_, host_losses_;
};

}  // namespace dlctl
