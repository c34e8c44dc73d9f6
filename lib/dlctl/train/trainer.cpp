#include "dlctl/train/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/core/random.h"
#include "dlctl/optim/schedule.h"
#include "dlctl/train/early_stopping.h"
#include "dlctl/train/interrupt.h"
#include "dlctl/train/progress.h"

namespace dlctl {

namespace {

std::int64_t steps_for(std::int64_t rows, std::int64_t batch) { return (rows + batch - 1) / batch; }

Tensor columns(const Buffer& buffer, std::int64_t rows, std::int64_t first, std::int64_t count) {
    if (buffer.data() == nullptr) return {};
    return {buffer.data() + first * rows, rows, count};
}

/// What a pass's or a step's mean loss divides by, as the loss kernels do: Σ weights (1 when it is
/// 0), or the number of samples when unweighted.
double loss_normalizer(const Dataset& host,
                       const std::vector<std::uint32_t>& order,
                       std::int64_t first,
                       std::int64_t count) {
    if (host.weights.empty()) return static_cast<double>(count);
    double total = 0.0;
    for (std::int64_t i = first; i < first + count; ++i) total += host.weights[order[i]];
    return total > 0.0 ? total : 1.0;
}

}  // namespace

Backend::PassPlan training_pass_plan(const Backend& backend,
                                     const Sequential& model,
                                     std::int64_t batch_size) {
    if (model.mixes_samples()) return {batch_size, 1};
    return backend.plan_passes(batch_size, model.activation_floats_per_sample());
}

Trainer::Trainer(
    Backend& backend, Sequential& model, Loss& loss, Optimizer& optimizer, TrainerOptions options)
    : backend_(backend),
      model_(model),
      loss_(loss),
      optimizer_(optimizer),
      options_(std::move(options)),
      stopping_(options_.early_stopping) {
    const std::int64_t batch = options_.batch_size;
    const std::int64_t outputs = model_.output_size();
    plan_ = training_pass_plan(backend_, model_, batch);
    if (options_.pass_columns > 0 && !model_.mixes_samples()) {
        // Multiples of 8 columns: a pass's dropout counters start on a Philox block.
        plan_.columns = std::min<std::int64_t>((options_.pass_columns + 7) / 8 * 8, batch);
        plan_.lanes = static_cast<int>(
            std::min<std::int64_t>(backend_.lanes(), steps_for(batch, plan_.columns)));
    }
    DLCTL_CHECK(model_.max_batch() >= plan_.columns && plan_.lanes >= 1);
    lanes_.resize(static_cast<std::size_t>(plan_.lanes));
    lanes_[0].model = &model_;
    lanes_[0].loss = &loss_;
    for (std::size_t i = 1; i < lanes_.size(); ++i) {
        lanes_[i].replica = model_.replica(backend_);
        lanes_[i].replica_loss = loss_.clone();
        lanes_[i].replica_loss->allocate(backend_, model_.output_size() * plan_.columns);
        lanes_[i].model = lanes_[i].replica.get();
        lanes_[i].loss = lanes_[i].replica_loss.get();
    }
    batch_features_ = backend_.allocate(model_.input_size() * batch);
    batch_targets_ = backend_.allocate(batch);
    batch_weights_ = backend_.allocate(batch);
    predictions_ = backend_.allocate(outputs * plan_.columns);
    host_predictions_.resize(static_cast<std::size_t>(outputs * batch));
    loss_.allocate(backend_, outputs * plan_.columns);
    optimizer_.allocate(backend_, model_.parameter_count());
    backend_.set_parameter_layout(model_.parameter_tensors());
    if (options_.early_stopping.enabled && options_.early_stopping.restore_best) {
        best_params_ = backend_.allocate(model_.parameter_count());
        best_state_ = backend_.allocate(model_.state().size());
    }
}

DeviceDataset Trainer::upload(const Dataset& dataset) {
    DLCTL_CHECK(dataset.n_features == model_.input_size());
    DeviceDataset out{&dataset, backend_.allocate(dataset.features.size()),
                      backend_.allocate(dataset.targets.size()), Buffer{}};
    backend_.upload(dataset.features.data(), out.features.view(dataset.n_features, dataset.n_rows));
    backend_.upload(dataset.targets.data(), out.targets.view(1, dataset.n_rows));
    if (!dataset.weights.empty()) {
        out.weights = backend_.allocate(dataset.n_rows);
        backend_.upload(dataset.weights.data(), out.weights.view(1, dataset.n_rows));
    }
    return out;
}

void Trainer::clip_gradients() {
    const Tensor grads = model_.gradients();
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

void Trainer::compute_gradients(const Dataset& host,
                                const std::vector<std::uint32_t>& order,
                                std::int64_t first,
                                std::int64_t count,
                                std::int64_t first_slot,
                                bool track_metrics) {
    const std::int64_t passes = steps_for(count, plan_.columns);
    const StepPasses step{host,
                          order,
                          first,
                          count,
                          first_slot,
                          track_metrics,
                          passes,
                          static_cast<int>(std::min<std::int64_t>(plan_.lanes, passes)),
                          passes > 1 ? loss_normalizer(host, order, first, count) : 1.0};
    if (step.lanes == 1) {
        run_passes(step, 0, backend_);
        return;
    }
    // Two pointers: std::function keeps them without allocating.
    backend_.run_lanes(step.lanes, [this, &step](int lane_index, Backend& backend) {
        run_passes(step, lane_index, backend);
    });
    for (int lane = 1; lane < step.lanes; ++lane) {
        backend_.add(lanes_[static_cast<std::size_t>(lane)].model->gradients(), model_.gradients());
    }
}

void Trainer::run_passes(const StepPasses& step, int lane_index, Backend& backend) {
    const Lane& lane = lanes_[static_cast<std::size_t>(lane_index)];
    const Dataset& host = step.host;
    const std::int64_t outputs = model_.output_size();
    const bool weighted = !host.weights.empty();
    for (std::int64_t pass = lane_index; pass < step.passes; pass += step.lanes) {
        const std::int64_t column = pass * plan_.columns;
        const std::int64_t width = std::min(plan_.columns, step.count - column);
        const Tensor x = columns(batch_features_, host.n_features, column, width);
        const Tensor y = columns(batch_targets_, 1, column, width);
        const Tensor w = weighted ? columns(batch_weights_, 1, column, width) : Tensor{};
        const ForwardContext ctx{Mode::kTrain, options_.seed, global_step_, column};
        const Tensor logits = lane.model->forward(backend, x, ctx);
        if (step.track_metrics) {
            backend.activation(
                model_.output_activation(), logits,
                {epoch_predictions_.data() + (step.first + column) * outputs, outputs, width});
        }
        const Tensor logits_grad = lane.model->logits_grad(width);
        lane.loss->forward_backward(backend, logits, y, w, logits_grad,
                                    {losses_.data() + step.first_slot + pass, 1, 1});
        if (step.passes > 1) {
            // The loss's gradient is of the pass's mean; the step's mean weighs the pass by its
            // share of the step's weight.
            const double share = loss_normalizer(host, step.order, step.first + column, width) /
                                 step.step_normalizer;
            backend.scale(logits_grad, static_cast<float>(share));
        }
        lane.model->backpropagate(backend, x, pass >= step.lanes);
    }
}

FitResult Trainer::fit(const DeviceDataset& train,
                       const DeviceDataset* validation,
                       const std::function<void(const EpochResult&)>& on_epoch) {
    const Dataset& host = *train.host;
    const std::int64_t rows = host.n_rows;
    const std::int64_t batch_size = options_.batch_size;
    const std::int64_t steps = steps_for(rows, batch_size);
    const std::int64_t outputs = model_.output_size();
    // Every step but the last has `passes` passes, so loss slot step · passes + pass numbers the
    // passes of an epoch densely.
    const std::int64_t passes = steps_for(batch_size, plan_.columns);
    const std::int64_t slots =
        steps == 0
            ? 0
            : (steps - 1) * passes + steps_for(rows - (steps - 1) * batch_size, plan_.columns);
    if (losses_.size() < slots) losses_ = backend_.allocate(slots);
    const bool track_metrics = !options_.metrics.empty();
    if (track_metrics && epoch_predictions_.size() < outputs * rows) {
        epoch_predictions_ = backend_.allocate(outputs * rows);
    }
    host_losses_.resize(static_cast<std::size_t>(slots));
    const Tensor all_features = train.features.view(host.n_features, rows);
    const Tensor all_targets = train.targets.view(1, rows);
    const bool weighted = train.weights.data() != nullptr;
    std::vector<std::uint32_t> order(static_cast<std::size_t>(rows));
    MetricAccumulator metrics(options_.metrics, options_.classes, options_.target_offset,
                              options_.target_scale);
    schedule_.emplace(options_.schedule, optimizer_.learning_rate(), options_.epochs, steps);
    if (restored_schedule_) schedule_->restore(*restored_schedule_);
    LearningRateSchedule& schedule = *schedule_;
    EarlyStopping& stopping = stopping_;
    ProgressLine progress(options_.show_progress);
    FitResult result;
    result.epochs_run = epoch_;
    if (stopping.should_stop()) result.stop_reason = "early_stopping";  // a resumed, done run

    for (int epoch = epoch_ + 1; epoch <= options_.epochs && !stopping.should_stop(); ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        std::iota(order.begin(), order.end(), 0u);
        if (options_.shuffle) {
            Rng rng(options_.seed, RngStream::kShuffle, static_cast<std::uint64_t>(epoch));
            for (std::size_t i = order.size(); i > 1; --i) {
                std::swap(order[i - 1], order[rng.below(i)]);
            }
        }
        backend_.stage_column_indices(order.data(), rows);  // the epoch's order, sent once
        metrics.reset();
        progress.start_epoch();
        std::int64_t steps_done = 0, slots_done = 0, drawn_slots = 0;
        double drawn_sum = 0.0;
        double lr = optimizer_.learning_rate();
        bool interrupted = false;

        for (std::int64_t step = 0; step < steps; ++step) {
            const std::int64_t first = step * batch_size;
            const std::int64_t count = std::min(batch_size, rows - first);
            const Tensor x = batch_features_.view(host.n_features, count);
            const Tensor y = batch_targets_.view(1, count);
            const Tensor w = weighted ? batch_weights_.view(1, count) : Tensor{};
            backend_.gather_staged_columns(all_features, first, x);
            backend_.gather_staged_columns(all_targets, first, y);
            if (weighted) backend_.gather_staged_columns(train.weights.view(1, rows), first, w);

            lr = schedule.at(epoch - 1, step);
            optimizer_.set_learning_rate(lr);
            compute_gradients(host, order, first, count, step * passes, track_metrics);
            model_.add_penalty_gradients(backend_);
            clip_gradients();
            optimizer_.step(backend_, model_.parameters(), model_.gradients());
            ++global_step_;
            slots_done = step * passes + steps_for(count, plan_.columns);

            if (progress.due()) {
                // Only the losses since the last redraw come to the host.
                backend_.download({losses_.data() + drawn_slots, 1, slots_done - drawn_slots},
                                  host_losses_.data() + drawn_slots);
                for (; drawn_slots < slots_done; ++drawn_slots) {
                    drawn_sum += host_losses_[drawn_slots];
                }
                progress.draw(epoch, options_.epochs, step + 1, steps, drawn_sum / slots_done);
            }
            ++steps_done;
            if (InterruptGuard::requested()) {
                interrupted = true;
                break;
            }
        }
        progress.clear();

        if (track_metrics) {
            const std::int64_t seen = std::min(rows, steps_done * batch_size);
            host_predictions_.resize(
                std::max(host_predictions_.size(), static_cast<std::size_t>(outputs * seen)));
            host_targets_.resize(static_cast<std::size_t>(seen));
            backend_.download({epoch_predictions_.data(), outputs, seen}, host_predictions_.data());
            for (std::int64_t i = 0; i < seen; ++i) host_targets_[i] = host.targets[order[i]];
            metrics.update(host_predictions_.data(), host_targets_.data(), seen);
        }
        backend_.download(losses_.view(slots_done, 1), host_losses_.data());
        double total = 0.0, total_weight = 0.0;
        for (std::int64_t slot = 0; slot < slots_done; ++slot) {
            const std::int64_t step = slot / passes;
            const float value = host_losses_[slot];
            if (!std::isfinite(value)) {
                throw DivergedError(
                    fmt::format("training diverged: loss is {} at epoch {}, step {} of {}", value,
                                epoch, step + 1, steps),
                    "lower train.optimizer.lr, clip gradients (train.gradient_clip), or check "
                    "the data for extreme values");
            }
            // Each pass's loss is a (weighted) mean; weigh it by its columns' total weight.
            const std::int64_t first = step * batch_size + slot % passes * plan_.columns;
            const std::int64_t count =
                std::min({plan_.columns, rows - first, (step + 1) * batch_size - first});
            double weight = static_cast<double>(count);
            if (weighted) {
                weight = 0.0;
                for (std::int64_t i = 0; i < count; ++i) weight += host.weights[order[first + i]];
            }
            total += static_cast<double>(value) * weight;
            total_weight += weight;
        }
        if (interrupted) {  // a partial epoch is checked for divergence but not recorded
            result.stop_reason = "interrupted";
            break;
        }

        EpochResult r;
        r.epoch = epoch;
        r.learning_rate = lr;
        r.train = {total_weight > 0 ? total / total_weight : 0.0, metrics.compute(), {}};
        const bool validate = epoch % options_.validate_every == 0 || epoch == options_.epochs;
        if (validation != nullptr && validation->host->n_rows > 0 && validate) {
            r.validation = evaluate(*validation);
        }
        schedule.end_epoch(logged_value(r, options_.schedule.monitor));
        if (options_.early_stopping.enabled) {
            r.best = stopping.update(epoch, logged_value(r, options_.early_stopping.monitor));
            if (r.best && best_params_.data() != nullptr) {
                backend_.copy(model_.parameters(), best_params_.view(best_params_.size(), 1));
                backend_.copy(model_.state(), best_state_.view(best_state_.size(), 1));
            }
        }
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        result.epochs_run = epoch;
        epoch_ = epoch;
        on_epoch(r);
        if (stopping.should_stop()) {
            result.stop_reason = "early_stopping";
            break;
        }
        if (InterruptGuard::requested()) {
            result.stop_reason = "interrupted";
            break;
        }
    }

    result.best_epoch = stopping.best_epoch();
    result.best_value = stopping.best_value();
    if (best_params_.data() != nullptr && stopping.best_epoch() > 0) {
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
    const Dataset& host = *data.host;
    const std::int64_t rows = host.n_rows;
    DLCTL_CHECK(rows > 0);
    const std::int64_t batch_size = plan_.columns;  // per-sample results: any split will do
    const std::int64_t outputs = model_.output_size();
    if (losses_.size() < 1) losses_ = backend_.allocate(1);
    MetricAccumulator metrics(options_.metrics, options_.classes, options_.target_offset,
                              options_.target_scale);
    double total = 0.0, total_weight = 0.0;
    float batch_loss = 0.0f;
    for (std::int64_t first = 0; first < rows; first += batch_size) {
        const std::int64_t count = std::min(batch_size, rows - first);
        const Tensor x = columns(data.features, host.n_features, first, count);
        const Tensor y = columns(data.targets, 1, first, count);
        const Tensor w = columns(data.weights, 1, first, count);
        const Tensor logits = model_.forward(backend_, x, ForwardContext{Mode::kEval});
        const Tensor predictions = predictions_.view(outputs, count);
        backend_.activation(model_.output_activation(), logits, predictions);
        const Tensor slot{losses_.data(), 1, 1};
        loss_.forward_backward(backend_, logits, y, w, model_.logits_grad(count), slot);
        backend_.download(slot, &batch_loss);
        double weight = static_cast<double>(count);
        if (!host.weights.empty()) {
            weight = std::accumulate(host.weights.begin() + first,
                                     host.weights.begin() + first + count, 0.0);
        }
        total += static_cast<double>(batch_loss) * weight;
        total_weight += weight;
        backend_.download(predictions, host_predictions_.data());
        metrics.update(host_predictions_.data(), host.targets.data() + first, count);
    }
    Evaluation e{total_weight > 0 ? total / total_weight : 0.0, metrics.compute(), {}};
    if (options_.classes > 0) e.confusion = metrics.confusion();
    return e;
}

}  // namespace dlctl
