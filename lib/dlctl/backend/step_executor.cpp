#include "dlctl/backend/step_executor.h"

#include <algorithm>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_step_executor.h"
#include "dlctl/backend/cuda/cuda_step_executor.h"
#include "dlctl/core/error.h"
#include "dlctl/loss/member_loss.h"
#include "dlctl/nn/sequential.h"
#include "dlctl/optim/optimizer.h"

namespace dlctl {

StepExecutor::StepExecutor(Backend& backend,
                           Sequential& model,
                           const Loss& loss,
                           const StepOptions& options)
    : backend_(backend), model_(model), loss_(loss), options_(options) {
    DLCTL_CHECK(options_.batch_size > 0);
    if (model.members() > 1) member_loss_ = std::make_unique<MemberLoss>(loss, model.members());
    const std::int64_t batch = options_.batch_size;
    batch_features_ = backend_.allocate(model_.input_size() * batch);
    batch_targets_ = backend_.allocate(batch);
    batch_weights_ = backend_.allocate(batch);
}

StepExecutor::~StepExecutor() = default;

void StepExecutor::start_epoch(const DeviceDataset& data,
                               const std::vector<std::uint32_t>& order,
                               std::int64_t steps) {
    const std::int64_t rows = data.host->n_rows;
    DLCTL_CHECK(static_cast<std::int64_t>(order.size()) == rows);
    DLCTL_CHECK(std::all_of(order.begin(), order.end(), [rows](std::uint32_t i) {
        return i < static_cast<std::uint64_t>(rows);
    }));
    data_ = &data;
    order_ = &order;
    if (staged_order_.size() < rows) staged_order_ = backend_.allocate_indices(rows);
    backend_.upload_indices(order.data(), rows, staged_order_.data());  // once an epoch
    const std::int64_t batch = options_.batch_size;
    if (steps == 0) steps = (rows + batch - 1) / batch;
    const std::int64_t slots = steps * passes(std::min(batch, std::max<std::int64_t>(rows, 1)));
    if (loss_sums_.size() < 2 * slots) loss_sums_ = backend_.allocate(2 * slots);
    const std::int64_t prediction_floats =
        options_.keep_predictions ? model_.output_size() * rows : 0;
    if (predictions_.size() < prediction_floats)
        predictions_ = backend_.allocate(prediction_floats);
    step_slots_.assign(1, 0);
}

double StepExecutor::batch_weight(std::int64_t first, std::int64_t count) const {
    const Dataset& host = *data_->host;
    if (host.weights.empty()) return static_cast<double>(count);
    double total = 0.0;
    for (std::int64_t i = first; i < first + count; ++i) total += host.weights[(*order_)[i]];
    return total > 0.0 ? total : 1.0;
}

void StepExecutor::compute_gradients(std::int64_t first,
                                     std::int64_t count,
                                     std::uint64_t global_step,
                                     double divisor) {
    DLCTL_CHECK(data_ != nullptr && count >= 0 && count <= options_.batch_size);
    const Dataset& host = *data_->host;
    DLCTL_CHECK(first >= 0 && first + count <= host.n_rows);
    if (count == 0) {
        backend_.fill(gradients(), 0.0f);
        step_slots_.push_back(step_slots_.back());
        return;
    }
    const std::int64_t rows = host.n_rows;
    const bool weighted = data_->weights.data() != nullptr;
    Batch batch{batch_features_.view(host.n_features, count),
                batch_targets_.view(1, count),
                weighted ? batch_weights_.view(1, count) : Tensor{},
                first,
                global_step,
                divisor > 0.0 ? divisor : batch_weight(first, count),
                step_slots_.back()};
    const std::uint32_t* indices = staged_order_.data() + first;
    backend_.gather_columns(data_->features.view(host.n_features, rows), indices, batch.features);
    backend_.gather_columns(data_->targets.view(1, rows), indices, batch.targets);
    if (weighted) backend_.gather_columns(data_->weights.view(1, rows), indices, batch.weights);
    train_batch(batch);
    step_slots_.push_back(batch.first_slot + passes(count));
}

void StepExecutor::apply_update(Optimizer& optimizer) {
    optimizer.step(backend_, model_.parameters(), gradients());
}

std::vector<LossSum> StepExecutor::step_losses(std::int64_t first_step) {
    const auto steps = static_cast<std::int64_t>(step_slots_.size()) - 1;
    DLCTL_CHECK(first_step >= 0 && first_step <= steps);
    const std::int64_t first_slot = step_slots_[first_step], last_slot = step_slots_[steps];
    host_sums_.resize(static_cast<std::size_t>(2 * (last_slot - first_slot)));
    backend_.download({loss_sums_.data() + 2 * first_slot, 2, last_slot - first_slot},
                      host_sums_.data());
    std::vector<LossSum> out;
    for (std::int64_t step = first_step; step < steps; ++step) {
        LossSum sum;
        for (std::int64_t slot = step_slots_[step]; slot < step_slots_[step + 1]; ++slot) {
            const float* pair = host_sums_.data() + 2 * (slot - first_slot);
            sum += {pair[0], pair[1]};
        }
        out.push_back(sum);
    }
    return out;
}

void StepExecutor::download_predictions(std::int64_t rows, float* host) {
    DLCTL_CHECK(options_.keep_predictions);
    backend_.download(predictions(0, rows), host);
}

Tensor StepExecutor::loss_slot(std::int64_t slot) const {
    DLCTL_CHECK(2 * (slot + 1) <= loss_sums_.size());
    return {loss_sums_.data() + 2 * slot, 2, 1};
}

Tensor StepExecutor::predictions(std::int64_t first, std::int64_t count) const {
    const std::int64_t outputs = model_.output_size();
    DLCTL_CHECK((first + count) * outputs <= predictions_.size());
    return {predictions_.data() + first * outputs, outputs, count};
}

std::unique_ptr<StepExecutor> make_step_executor(Backend& backend,
                                                 Sequential& model,
                                                 const Loss& loss,
                                                 const StepOptions& options) {
    if (auto* cpu = dynamic_cast<CpuBackend*>(&backend)) {
        return std::make_unique<CpuStepExecutor>(*cpu, model, loss, options);
    }
    DLCTL_CHECK(backend.device().kind == DeviceKind::kCuda);
    return std::make_unique<CudaStepExecutor>(backend, model, loss, options);
}

}  // namespace dlctl
