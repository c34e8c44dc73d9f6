#include "dlctl/train/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/core/random.h"

namespace dlctl {

namespace {

std::int64_t steps_for(std::int64_t rows, std::int64_t batch) { return (rows + batch - 1) / batch; }

Tensor columns(const Buffer& buffer, std::int64_t rows, std::int64_t first, std::int64_t count) {
    return {buffer.data() + first * rows, rows, count};
}

}  // namespace

Trainer::Trainer(
    Backend& backend, Sequential& model, Loss& loss, Optimizer& optimizer, TrainerOptions options)
    : backend_(backend),
      model_(model),
      loss_(loss),
      optimizer_(optimizer),
      options_(std::move(options)) {
    const std::int64_t batch = options_.batch_size;
    batch_features_ = backend_.allocate(model_.input_size() * batch);
    batch_targets_ = backend_.allocate(model_.output_size() * batch);
    predictions_ = backend_.allocate(model_.output_size() * batch);
    host_predictions_.resize(static_cast<std::size_t>(model_.output_size() * batch));
    host_targets_.resize(host_predictions_.size());
    loss_.allocate(backend_, model_.output_size() * batch);
    optimizer_.allocate(backend_, model_.parameter_count());
}

DeviceDataset Trainer::upload(const Dataset& dataset) {
    DLCTL_CHECK(dataset.n_features == model_.input_size());
    DeviceDataset out{&dataset, backend_.allocate(dataset.features.size()),
                      backend_.allocate(dataset.targets.size())};
    backend_.upload(dataset.features.data(), out.features.view(dataset.n_features, dataset.n_rows));
    backend_.upload(dataset.targets.data(), out.targets.view(1, dataset.n_rows));
    return out;
}

void Trainer::fit(const DeviceDataset& train,
                  const DeviceDataset* validation,
                  const std::function<void(const EpochResult&)>& on_epoch) {
    const Dataset& host = *train.host;
    const std::int64_t rows = host.n_rows;
    const std::int64_t batch_size = options_.batch_size;
    const std::int64_t steps = steps_for(rows, batch_size);
    if (losses_.size() < steps) losses_ = backend_.allocate(steps);
    host_losses_.resize(static_cast<std::size_t>(steps));
    const Tensor all_features = train.features.view(host.n_features, rows);
    const Tensor all_targets = train.targets.view(1, rows);
    std::vector<std::uint32_t> order(static_cast<std::size_t>(rows));
    MetricAccumulator metrics(options_.metrics, options_.binary);

    for (int epoch = 1; epoch <= options_.epochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        std::iota(order.begin(), order.end(), 0u);
        Rng rng(options_.seed, RngStream::kShuffle, static_cast<std::uint64_t>(epoch));
        for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
        metrics.reset();

        for (std::int64_t step = 0; step < steps; ++step) {
            const std::int64_t first = step * batch_size;
            const std::int64_t count = std::min(batch_size, rows - first);
            const std::uint32_t* indices = order.data() + first;
            const Tensor x = batch_features_.view(host.n_features, count);
            const Tensor y = batch_targets_.view(1, count);
            backend_.gather_columns(all_features, indices, x);
            backend_.gather_columns(all_targets, indices, y);

            const ForwardContext ctx{Mode::kTrain, options_.seed, global_step_};
            const Tensor logits = model_.forward(backend_, x, ctx);
            const Tensor predictions = predictions_.view(logits.rows, count);
            backend_.activation(model_.output_activation(), logits, predictions);
            loss_.forward_backward(backend_, logits, y, model_.logits_grad(count),
                                   {losses_.data() + step, 1, 1});
            model_.backward(backend_, x);
            optimizer_.step(backend_, model_.parameters(), model_.gradients());
            ++global_step_;

            backend_.download(predictions, host_predictions_.data());
            for (std::int64_t i = 0; i < count; ++i) host_targets_[i] = host.targets[indices[i]];
            metrics.update(host_predictions_.data(), host_targets_.data(), count);
        }

        backend_.download(losses_.view(steps, 1), host_losses_.data());
        double total = 0.0;
        for (std::int64_t step = 0; step < steps; ++step) {
            const float value = host_losses_[step];
            if (!std::isfinite(value)) {
                throw DivergedError(
                    fmt::format("training diverged: loss is {} at epoch {}, step {} of {}", value,
                                epoch, step + 1, steps),
                    "lower train.optimizer.lr, or check the data for extreme values");
            }
            total += static_cast<double>(value) *
                     static_cast<double>(std::min(batch_size, rows - step * batch_size));
        }

        EpochResult result;
        result.epoch = epoch;
        result.learning_rate = optimizer_.learning_rate();
        result.train = {total / static_cast<double>(rows), metrics.compute()};
        if (validation != nullptr && validation->host->n_rows > 0) {
            result.validation = evaluate(*validation);
        }
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        on_epoch(result);
    }
}

Evaluation Trainer::evaluate(const DeviceDataset& data) {
    const Dataset& host = *data.host;
    const std::int64_t rows = host.n_rows;
    DLCTL_CHECK(rows > 0);
    const std::int64_t batch_size = options_.batch_size;
    if (losses_.size() < 1) losses_ = backend_.allocate(1);
    MetricAccumulator metrics(options_.metrics, options_.binary);
    double total = 0.0;
    float batch_loss = 0.0f;
    for (std::int64_t first = 0; first < rows; first += batch_size) {
        const std::int64_t count = std::min(batch_size, rows - first);
        const Tensor x = columns(data.features, host.n_features, first, count);
        const Tensor y = columns(data.targets, 1, first, count);
        const Tensor logits = model_.forward(backend_, x, ForwardContext{Mode::kEval});
        const Tensor predictions = predictions_.view(logits.rows, count);
        backend_.activation(model_.output_activation(), logits, predictions);
        const Tensor slot{losses_.data(), 1, 1};
        loss_.forward_backward(backend_, logits, y, model_.logits_grad(count), slot);
        backend_.download(slot, &batch_loss);
        total += static_cast<double>(batch_loss) * static_cast<double>(count);
        backend_.download(predictions, host_predictions_.data());
        metrics.update(host_predictions_.data(), host.targets.data() + first, count);
    }
    return {total / static_cast<double>(rows), metrics.compute()};
}

}  // namespace dlctl
