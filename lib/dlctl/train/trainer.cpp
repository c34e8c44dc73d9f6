#include "dlctl/train/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/core/random.h"
#include "dlctl/optim/schedule.h"
#include "dlctl/parallel/rank_agreement.h"
#include "dlctl/train/early_stopping.h"
#include "dlctl/train/interrupt.h"
#include "dlctl/train/progress.h"
#include "dlctl/train/split_windows.h"

namespace dlctl {

static_assert(sizeof(LossSum) == 2 * sizeof(double), "ranks sum LossSums as pairs of doubles");

namespace {

std::int64_t steps_for(std::int64_t rows, std::int64_t batch) { return (rows + batch - 1) / batch; }

Tensor columns(const Buffer& buffer, std::int64_t rows, std::int64_t first, std::int64_t count) {
    if (buffer.data() == nullptr) return {};
    return {buffer.data() + first * rows, rows, count};
}

}  // namespace

struct Trainer::EpochSteps {
    std::vector<std::uint32_t> order;  ///< the window's sample order (of this rank's rows)
    std::int64_t steps = 0;            ///< an epoch's
    /// Several ranks: the epoch's order of all the split's rows, where each step's samples start
    /// in `order` (steps + 1 entries) and each step's divisor, the Σ w of its whole batch.
    std::vector<std::uint32_t> split_order;
    std::vector<std::int64_t> step_first;
    std::vector<double> divisors;
    std::int64_t done = 0;       ///< of this epoch, completed
    double learning_rate = 0.0;  ///< of the last step
    ProgressLine& progress;
    LossSum drawn;                 ///< the losses of the steps the progress line has shown
    std::int64_t drawn_steps = 0;  ///< of the window, shown
    std::vector<LossSum> losses;   ///< of the epoch's steps so far, gathered window by window
    std::int64_t predicted = 0;    ///< samples whose training predictions were gathered
    std::optional<MetricAccumulator> metrics;  ///< the epoch's training metrics so far
};

Trainer::Trainer(Backend& backend,
                 Sequential& model,
                 const Loss& loss,
                 Optimizer& optimizer,
                 TrainerOptions options,
                 std::unique_ptr<StepExecutor> executor)
    : backend_(backend),
      model_(model),
      loss_(loss),
      optimizer_(optimizer),
      options_(std::move(options)),
      executor_(std::move(executor)),
      stopping_(options_.early_stopping) {
    const bool several = options_.ranks != nullptr && options_.ranks->size() > 1;
    if (several) rank_tensors_.emplace(*options_.ranks, backend_);
    if (!executor_) {
        const std::int64_t first_sample =
            several ? options_.ranks->rank() * ((options_.batch_size + 7) / 8 * 8) : 0;
        executor_ = make_step_executor(
            backend_, model_, loss_,
            {options_.batch_size, options_.seed, !options_.metrics.empty(), 0, first_sample});
    }
    optimizer_.allocate(backend_, model_.parameter_count());
    if (options_.early_stopping.enabled && options_.early_stopping.restore_best) {
        best_params_ = backend_.allocate(model_.parameter_count());
        best_state_ = backend_.allocate(model_.state().size());
    }
}

Trainer::~Trainer() = default;

DeviceDataset Trainer::upload(const Dataset& dataset, std::optional<RowShard> shard) {
    DLCTL_CHECK(dataset.n_features == model_.input_size());
    if (!shard) shard = RowShard::whole(dataset.n_rows);
    DLCTL_CHECK(shard->count == dataset.n_rows && (distributed() || shard->total == shard->count));
    if (options_.classes > 1) {
        for (std::int64_t i = 0; i < dataset.n_rows; ++i) {
            const float y = dataset.targets[i];
            if (!(y >= 0.0f && y < static_cast<float>(options_.classes)) || y != std::floor(y)) {
                throw DataError(
                    fmt::format("row {} of the encoded data has target {}, which is not a "
                                "class index 0..{}",
                                shard->first + i + 1, y, options_.classes - 1));
            }
        }
    }
    if (dataset.on_disk) {  // read a window at a time (SplitWindows)
        DLCTL_CHECK(!distributed() && options_.window_rows > 0 &&
                    options_.window_rows % options_.batch_size == 0);
        return {&dataset, Buffer{}, Buffer{}, Buffer{}, *shard};
    }
    DeviceDataset out{&dataset, backend_.allocate(dataset.features.size()),
                      backend_.allocate(dataset.targets.size()), Buffer{}, *shard};
    backend_.upload(dataset.features.data(), out.features.view(dataset.n_features, dataset.n_rows));
    backend_.upload(dataset.targets.data(), out.targets.view(1, dataset.n_rows));
    if (!dataset.weights.empty()) {
        out.weights = backend_.allocate(dataset.n_rows);
        backend_.upload(dataset.weights.data(), out.weights.view(1, dataset.n_rows));
    }
    return out;
}

void Trainer::clip_gradients(const Tensor& grads) {
    if (options_.clip_value > 0.0) {
        const auto v = static_cast<float>(options_.clip_value);
        backend_.clamp(grads, -v, v);
    }
    if (options_.clip_norm > 0.0) {
        // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when above max_norm.
        const double norm = std::sqrt(backend_.squared_norm(grads));
        if (norm > options_.clip_norm) {
            backend_.scale(grads, static_cast<float>(options_.clip_norm / (norm + 1e-6)));
        }
    }
}

double logged_value(const EpochResult& r, const std::string& name) {
    const bool validation = name.starts_with("val_");
    if (validation && !r.validation) return std::nan("");
    const Evaluation& e = validation ? *r.validation : r.train;
    const std::string base = validation ? name.substr(4) : name;
    if (base == "loss") return e.loss;
    for (const auto& [metric, value] : e.metrics) {
        if (metric == base) return value;
    }
    return std::nan("");
}

void Trainer::apply_factor_schedules(double progress) {
    if (options_.dropout_schedule != "constant") {
        model_.set_dropout_factor(
            static_cast<float>(schedule_factor(options_.dropout_schedule, progress)));
    }
    if (options_.weight_decay_schedule != "constant") {
        optimizer_.set_weight_decay_factor(
            schedule_factor(options_.weight_decay_schedule, progress));
    }
}

void Trainer::synchronize_model() {
    if (!distributed()) return;
    rank_tensors_->broadcast(model_.parameters());
    if (model_.state().size() > 0) rank_tensors_->broadcast(model_.state());
}

bool Trainer::on_any_rank(bool flag) { return distributed() ? options_.ranks->any(flag) : flag; }

std::vector<std::int64_t> Trainer::window_order(int epoch, std::int64_t windows) const {
    std::vector<std::int64_t> order(static_cast<std::size_t>(windows));
    std::iota(order.begin(), order.end(), 0);
    if (options_.shuffle && windows > 1) {
        Rng rng(options_.seed, RngStream::kShuffle, static_cast<std::uint64_t>(epoch) << 32);
        for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    }
    return order;
}

std::int64_t Trainer::plan_epoch(int epoch,
                                 std::int64_t window,
                                 std::int64_t windows,
                                 const DeviceDataset& train,
                                 EpochSteps& steps) const {
    std::vector<std::uint32_t>& order = distributed() ? steps.split_order : steps.order;
    order.resize(static_cast<std::size_t>(train.shard.total));
    std::iota(order.begin(), order.end(), 0u);
    if (options_.shuffle) {
        // One window is the whole split: the shuffle of an in-memory split.
        const std::uint64_t substream = windows == 1 ? static_cast<std::uint64_t>(epoch)
                                                     : (static_cast<std::uint64_t>(epoch) << 32) +
                                                           1 + static_cast<std::uint64_t>(window);
        Rng rng(options_.seed, RngStream::kShuffle, substream);
        for (std::size_t i = order.size(); i > 1; --i) {
            std::swap(order[i - 1], order[rng.below(i)]);
        }
    }
    const std::int64_t batch = options_.batch_size, total = train.shard.total;
    const std::int64_t window_steps = steps_for(total, batch);
    steps.step_first.assign(1, 0);
    if (!distributed()) {
        for (std::int64_t s = 1; s <= window_steps; ++s) {
            steps.step_first.push_back(std::min(s * batch, total));
        }
        return window_steps;
    }
    // This rank's samples of each step, in the step's order; a step's divisor is its whole
    // batch's Σ w (each rank's own share of it, summed).
    const RowShard& shard = train.shard;
    const std::vector<float>& weights = train.host->weights;
    steps.order.clear();
    steps.divisors.assign(static_cast<std::size_t>(steps.steps), 0.0);
    for (std::int64_t s = 0; s < steps.steps; ++s) {
        const std::int64_t end = std::min((s + 1) * batch, total);
        for (std::int64_t i = s * batch; i < end; ++i) {
            const std::int64_t row = order[static_cast<std::size_t>(i)];
            if (!shard.holds(row)) continue;
            steps.order.push_back(static_cast<std::uint32_t>(row - shard.first));
            steps.divisors[s] += weights.empty() ? 1.0 : weights[row - shard.first];
        }
        steps.step_first.push_back(static_cast<std::int64_t>(steps.order.size()));
    }
    options_.ranks->sum(steps.divisors.data(), steps.steps);
    for (double& d : steps.divisors) d = d > 0.0 ? d : 1.0;  // as a single process's batch
    return steps.steps;
}

bool Trainer::train_epoch(int epoch, SplitWindows& train, EpochSteps& steps) {
    steps.done = 0;
    steps.drawn = {};
    steps.losses.clear();
    steps.predicted = 0;
    steps.metrics.emplace(options_.metrics, options_.classes, options_.target_offset,
                          options_.target_scale);
    steps.progress.start_epoch();
    for (const std::int64_t w : window_order(epoch, train.count())) {
        const DeviceDataset& window = train.load(w);
        const std::int64_t window_steps = plan_epoch(epoch, w, train.count(), window, steps);
        executor_->start_epoch(window, steps.order, window_steps);
        const bool complete = run_steps(epoch, window_steps, steps);
        collect_window(*window.host, steps);
        if (!complete) return false;
    }
    return true;
}

bool Trainer::run_steps(int epoch, std::int64_t window_steps, EpochSteps& steps) {
    steps.drawn_steps = 0;
    for (std::int64_t step = 0; step < window_steps; ++step) {
        const std::int64_t first = steps.step_first[step];
        const std::int64_t count = steps.step_first[step + 1] - first;
        steps.learning_rate = schedule_->at(epoch - 1, steps.done);
        optimizer_.set_learning_rate(steps.learning_rate);
        apply_factor_schedules(static_cast<double>(global_step_) /
                               static_cast<double>(options_.epochs * steps.steps));
        executor_->compute_gradients(first, count, global_step_,
                                     distributed() ? steps.divisors[step] : 0.0);
        const Tensor grads = executor_->gradients();
        if (distributed()) rank_tensors_->sum(grads);
        model_.add_penalty_gradients(backend_, grads);
        clip_gradients(grads);
        executor_->apply_update(optimizer_);
        ++global_step_;
        ++steps.done;
        if (steps.progress.due()) {
            // Only the losses since the last redraw come to the host.
            for (const LossSum& sum : executor_->step_losses(steps.drawn_steps)) steps.drawn += sum;
            steps.drawn_steps = step + 1;
            steps.progress.draw(epoch, options_.epochs, steps.done, steps.steps,
                                steps.drawn.mean());
        }
        if (on_any_rank(InterruptGuard::requested())) return false;
    }
    return true;
}

void Trainer::collect_window(const Dataset& window, EpochSteps& steps) {
    const std::vector<LossSum> sums = executor_->step_losses(0);
    steps.losses.insert(steps.losses.end(), sums.begin(), sums.end());
    for (std::size_t i = static_cast<std::size_t>(steps.drawn_steps); i < sums.size(); ++i) {
        steps.drawn += sums[i];  // the progress line's mean goes on over the next window
    }
    if (options_.metrics.empty()) return;
    const std::int64_t seen = steps.step_first[sums.size()];
    const std::int64_t outputs = model_.output_size();
    // One process measures each window as it ends; several ranks (one window) gather theirs.
    const std::int64_t before = distributed() ? steps.predicted : 0;
    host_predictions_.resize(static_cast<std::size_t>(outputs * (before + seen)));
    host_targets_.resize(static_cast<std::size_t>(before + seen));
    executor_->download_predictions(seen, host_predictions_.data() + outputs * before);
    for (std::int64_t i = 0; i < seen; ++i) {
        host_targets_[before + i] = window.targets[steps.order[i]];
    }
    if (!distributed()) steps.metrics->update(host_predictions_.data(), host_targets_.data(), seen);
    steps.predicted += seen;
}

Evaluation Trainer::summarize_epoch(int epoch, EpochSteps& steps) {
    std::vector<LossSum>& sums = steps.losses;
    if (distributed()) {  // LossSum is two doubles
        options_.ranks->sum(reinterpret_cast<double*>(sums.data()),
                            2 * static_cast<std::int64_t>(sums.size()));
    }
    LossSum total;
    std::int64_t step = 0;
    for (const LossSum& sum : sums) {
        ++step;
        if (!std::isfinite(sum.weighted_loss)) {
            const std::string message =
                fmt::format("training diverged: loss is {} at epoch {}, step {} of {}",
                            sum.weighted_loss, epoch, step, steps.steps);
            const std::string hint =
                "lower train.optimizer.lr, clip gradients (train.gradient_clip), or check the "
                "data for extreme values";
            // Several ranks see the same summed loss: they stop together, rank 0 reports.
            if (distributed()) throw RanksError(ExitCode::kDiverged, message, hint);
            throw DivergedError(message, hint);
        }
        total += sum;
    }
    MetricAccumulator& metrics = *steps.metrics;
    if (!options_.metrics.empty() && distributed()) {  // AUC and the like need every rank's
        const std::int64_t seen = steps.predicted;
        const std::vector<float> predictions =
            options_.ranks->concatenate(host_predictions_.data(), model_.output_size() * seen);
        const std::vector<float> targets = options_.ranks->concatenate(host_targets_.data(), seen);
        metrics.update(predictions.data(), targets.data(),
                       static_cast<std::int64_t>(targets.size()));
    }
    return {total.mean(), metrics.compute(), {}};
}

void Trainer::end_epoch(EpochResult& r, const DeviceDataset* validation) {
    // Batch norm's running statistics saw only each rank's rows: rank 0's are the model's (as
    // PyTorch's DistributedDataParallel broadcasts its buffers).
    if (distributed() && model_.state().size() > 0) rank_tensors_->broadcast(model_.state());
    const bool validate = r.epoch % options_.validate_every == 0 || r.epoch == options_.epochs;
    if (validation != nullptr && validation->shard.total > 0 && validate) {
        r.validation = evaluate(*validation);
    }
    schedule_->end_epoch(logged_value(r, options_.schedule.monitor));
    if (options_.early_stopping.enabled) {
        r.best = stopping_.update(r.epoch, logged_value(r, options_.early_stopping.monitor));
        if (r.best && best_params_.data() != nullptr) {
            backend_.copy(model_.parameters(), best_params_.view(best_params_.size(), 1));
            backend_.copy(model_.state(), best_state_.view(best_state_.size(), 1));
        }
    }
}

bool Trainer::past_time_limit(std::chrono::steady_clock::time_point fit_start,
                              double longest_epoch) const {
    if (options_.time_limit <= 0.0 || longest_epoch == 0.0) return false;  // one epoch at least
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count();
    return elapsed + longest_epoch > options_.time_limit;
}

bool Trainer::stop_for_time_limit(std::chrono::steady_clock::time_point fit_start,
                                  double longest_epoch) {
    return on_any_rank(past_time_limit(fit_start, longest_epoch));
}

FitResult Trainer::fit(const DeviceDataset& train,
                       const DeviceDataset* validation,
                       const std::function<void(const EpochResult&)>& on_epoch) {
    ProgressLine progress(options_.show_progress);
    EpochSteps steps{.steps = steps_for(train.shard.total, options_.batch_size),
                     .learning_rate = optimizer_.learning_rate(),
                     .progress = progress};
    schedule_.emplace(options_.schedule, optimizer_.learning_rate(), options_.epochs, steps.steps);
    SplitWindows windows(backend_, train, options_.window_rows);
    if (restored_schedule_) schedule_->restore(*restored_schedule_);
    FitResult result;
    result.epochs_run = epoch_;
    if (stopping_.should_stop()) result.stop_reason = "early_stopping";  // a resumed, done run

    const auto fit_start = std::chrono::steady_clock::now();
    double longest_epoch = 0.0;
    for (int epoch = epoch_ + 1; epoch <= options_.epochs && !stopping_.should_stop(); ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        if (stop_for_time_limit(fit_start, longest_epoch)) {
            result.stop_reason = "time_limit";
            break;
        }
        const bool complete = train_epoch(epoch, windows, steps);
        progress.clear();
        EpochResult r;
        r.train = summarize_epoch(epoch, steps);  // a partial epoch is checked, not kept
        if (!complete) {
            result.stop_reason = "interrupted";
            break;
        }
        r.epoch = epoch;
        r.learning_rate = steps.learning_rate;
        end_epoch(r, validation);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        longest_epoch = std::max(longest_epoch, r.seconds);
        result.epochs_run = epoch_ = epoch;
        on_epoch(r);
        if (stopping_.should_stop()) {
            result.stop_reason = "early_stopping";
            break;
        }
        if (on_any_rank(InterruptGuard::requested())) {
            result.stop_reason = "interrupted";
            break;
        }
    }

    result.best_epoch = stopping_.best_epoch();
    result.best_value = stopping_.best_value();
    if (best_params_.data() != nullptr && stopping_.best_epoch() > 0) {
        backend_.copy(best_params_.view(best_params_.size(), 1), model_.parameters());
        backend_.copy(best_state_.view(best_state_.size(), 1), model_.state());
        result.restored_best = true;
    }
    return result;
}

TrainerState Trainer::state() const {
    TrainerState s;
    s.epoch = epoch_;
    s.global_step = global_step_;
    s.optimizer_step = optimizer_.next_step();
    s.early_stopping = stopping_.state();
    if (schedule_) {
        s.schedule = schedule_->state();
    } else if (restored_schedule_) {
        s.schedule = *restored_schedule_;
    }
    return s;
}

void Trainer::restore(const TrainerState& state) {
    epoch_ = state.epoch;
    global_step_ = state.global_step;
    optimizer_.set_next_step(state.optimizer_step);
    stopping_.restore(state.early_stopping);
    restored_schedule_ = state.schedule;
    schedule_.reset();
}

std::vector<ParameterShaped> Trainer::checkpoint_buffers() const {
    std::vector<ParameterShaped> out;
    for (const auto& [slot, tensor] : optimizer_.slots()) {
        out.push_back({tensor, {}, "optim.", "." + slot});
    }
    if (best_params_.data() != nullptr) {
        out.push_back(
            {best_params_.view(best_params_.size(), 1),
             best_state_.data() != nullptr ? best_state_.view(best_state_.size(), 1) : Tensor{},
             "best.", ""});
    }
    return out;
}

Evaluation Trainer::evaluate(const DeviceDataset& data) {
    DLCTL_CHECK(data.shard.total > 0);
    if (!inference_) inference_.emplace(backend_, model_, &loss_);
    // Several ranks keep their predictions to gather them: metrics such as AUC need them all
    // (and classification's confusion matrix).
    const bool gather = distributed() && (!options_.metrics.empty() || options_.classes > 0);
    MetricAccumulator metrics(options_.metrics, options_.classes, options_.target_offset,
                              options_.target_scale);
    // Windows of whole inference batches: the batches, and so the loss sums, of one window.
    const std::int64_t batch = inference_->max_batch();
    SplitWindows windows(backend_, data, (options_.window_rows + batch - 1) / batch * batch);
    LossSum total;
    for (std::int64_t w = 0; w < windows.count(); ++w) {
        total += evaluate_window(windows.load(w), gather, metrics);
    }
    if (distributed()) options_.ranks->sum(reinterpret_cast<double*>(&total), 2);  // 2 doubles
    if (gather) {  // several ranks hold their split in memory: one window
        const std::int64_t rows = data.host->n_rows;
        const std::vector<float> predictions =
            options_.ranks->concatenate(host_predictions_.data(), model_.output_size() * rows);
        const std::vector<float> targets =
            options_.ranks->concatenate(data.host->targets.data(), rows);
        metrics.update(predictions.data(), targets.data(),
                       static_cast<std::int64_t>(targets.size()));
    }
    Evaluation e{total.mean(), metrics.compute(), {}};
    if (options_.classes > 0) e.confusion = metrics.confusion();
    return e;
}

LossSum Trainer::evaluate_window(const DeviceDataset& data,
                                 bool gather,
                                 MetricAccumulator& metrics) {
    const Dataset& host = *data.host;
    const std::int64_t rows = host.n_rows;
    const std::int64_t batch = inference_->max_batch(), outputs = model_.output_size();
    const std::size_t kept = gather ? static_cast<std::size_t>(outputs * rows) : 0;
    host_predictions_.resize(
        std::max({host_predictions_.size(), static_cast<std::size_t>(outputs * batch), kept}));
    LossSum total;
    for (std::int64_t first = 0; first < rows; first += batch) {
        const std::int64_t count = std::min(batch, rows - first);
        const Tensor predictions =
            inference_->predict(columns(data.features, host.n_features, first, count));
        total += inference_->loss(columns(data.targets, 1, first, count),
                                  columns(data.weights, 1, first, count));
        if (distributed() && !gather) continue;
        float* into = host_predictions_.data() + (gather ? outputs * first : 0);
        backend_.download(predictions, into);
        if (!distributed()) metrics.update(into, host.targets.data() + first, count);
    }
    return total;
}

}  // namespace dlctl
