#include "dlctl/nn/periodic_embedding.h"

#include <cmath>

#include "dlctl/backend/activation.h"
#include "dlctl/core/error.h"

namespace dlctl {

PeriodicEmbedding::PeriodicEmbedding(std::int64_t input_size,
                                     std::vector<std::uint32_t> numeric_rows,
                                     std::int64_t frequencies,
                                     std::int64_t units,
                                     double sigma)
    : inputs_(input_size),
      numeric_(std::move(numeric_rows)),
      routing_(input_size, numeric_),
      k_(frequencies),
      units_(units),
      sigma_(sigma) {}

std::int64_t PeriodicEmbedding::output_size() const {
    return units_ * static_cast<std::int64_t>(numeric_.size()) + routing_.passed_count();
}

std::int64_t PeriodicEmbedding::parameter_count() const {
    const auto m = static_cast<std::int64_t>(numeric_.size());
    return m * (k_ + units_ * 2 * k_ + units_);
}

void PeriodicEmbedding::bind(float* params, float*) {
    const auto m = static_cast<std::int64_t>(numeric_.size());
    frequencies_ = {params, k_, m};
    weight_ = {params + frequencies_.size(), units_, 2 * k_ * m};
    bias_ = {weight_.data + weight_.size(), units_, m};
}

void PeriodicEmbedding::attach(Backend& backend) {
    numeric_rows_ = upload_rows(backend, numeric_);
    routing_.attach(backend, units_ * static_cast<std::int64_t>(numeric_.size()));
}

void PeriodicEmbedding::initialize(Rng& rng, float* host_params, float*) const {
    for (std::int64_t i = 0; i < frequencies_.size(); ++i) {
        host_params[i] = static_cast<float>(sigma_ * rng.normal());
    }
    // Each feature's linear layer as torch.nn.Linear starts: U(±1/√fan_in), bias included.
    const double bound = 1.0 / std::sqrt(static_cast<double>(2 * k_));
    for (std::int64_t i = frequencies_.size(); i < parameter_count(); ++i) {
        host_params[i] = static_cast<float>((2.0 * rng.uniform() - 1.0) * bound);
    }
}

std::vector<std::pair<std::string, Tensor>> PeriodicEmbedding::tensors() const {
    return {{"frequencies", frequencies_}, {"weight", weight_}, {"bias", bias_}};
}

PeriodicEmbedding::Parts PeriodicEmbedding::parts(float* work, std::int64_t batch) const {
    const auto m = static_cast<std::int64_t>(numeric_.size());
    Parts p;
    p.periodic = {work, 2 * k_ * m, batch};
    p.embedded = {p.periodic.data + aligned_floats(p.periodic.size()), units_ * m, batch};
    p.output = {p.embedded.data + aligned_floats(p.embedded.size()), output_size(), batch};
    p.periodic_grad = {p.output.data + aligned_floats(p.output.size()), 2 * k_ * m, batch};
    p.embedded_grad = {p.periodic_grad.data + aligned_floats(p.periodic.size()), units_ * m, batch};
    return p;
}

std::int64_t PeriodicEmbedding::workspace_floats(std::int64_t batch) const {
    const auto m = static_cast<std::int64_t>(numeric_.size());
    return 2 * aligned_floats(2 * k_ * m * batch) + 2 * aligned_floats(units_ * m * batch) +
           aligned_floats(output_size() * batch);
}

MatrixBatch PeriodicEmbedding::weights(float* data) const {
    return {data, units_, 2 * k_, units_, units_ * 2 * k_};
}

MatrixBatch PeriodicEmbedding::per_feature(const Tensor& t, std::int64_t rows) const {
    return {t.data, rows, t.cols, t.rows, rows};
}

Tensor PeriodicEmbedding::forward(Backend& backend,
                                  const Tensor& input,
                                  float* work,
                                  const ForwardContext&) const {
    const Parts p = parts(work, input.cols);
    const auto m = static_cast<std::int64_t>(numeric_.size());
    if (m > 0) {
        backend.periodic_forward(input, numeric_rows_.data(), frequencies_, p.periodic);
        backend.gemm_batched(false, false, 1.0f, weights(weight_.data),
                             per_feature(p.periodic, 2 * k_), 0.0f, per_feature(p.embedded, units_),
                             m);
        const Activation relu = Activation::kRelu;
        backend.bias_activation_forward(relu, {bias_.data, units_ * m, 1}, p.embedded, p.embedded);
    }
    routing_.forward(backend, input, p.embedded, p.output);
    return p.output;
}

void PeriodicEmbedding::backward(Backend& backend,
                                 const Tensor& input,
                                 float* work,
                                 Tensor grad_output,
                                 Tensor grad_input,
                                 float* grads) const {
    const Parts p = parts(work, input.cols);
    const auto m = static_cast<std::int64_t>(numeric_.size());
    routing_.backward(backend, grad_output, grad_input, p.embedded_grad);
    if (m == 0) return;
    float* frequency_grad = grads;
    float* weight_grad = grads + frequencies_.size();
    float* bias_grad = weight_grad + weight_.size();
    const Activation relu = Activation::kRelu;
    backend.activation_bias_backward(relu, p.embedded, p.embedded, p.embedded_grad, p.embedded_grad,
                                     {bias_grad, units_ * m, 1}, true);
    backend.gemm_batched(false, true, 1.0f, per_feature(p.embedded_grad, units_),
                         per_feature(p.periodic, 2 * k_), 1.0f, weights(weight_grad), m);
    backend.gemm_batched(true, false, 1.0f, weights(weight_.data),
                         per_feature(p.embedded_grad, units_), 0.0f,
                         per_feature(p.periodic_grad, 2 * k_), m);
    backend.periodic_backward(input, numeric_rows_.data(), frequencies_, p.periodic,
                              p.periodic_grad, {frequency_grad, k_, m}, grad_input);
}

}  // namespace dlctl
