#include "dlctl/nn/bin_embedding.h"

#include <cmath>

#include "dlctl/core/error.h"

namespace dlctl {

BinEmbedding::BinEmbedding(std::int64_t input_size,
                           std::vector<std::uint32_t> bin_rows,
                           std::vector<std::int64_t> bins,
                           std::int64_t units,
                           Activation activation)
    : inputs_(input_size),
      bins_(std::move(bins)),
      routing_(input_size, bin_rows),
      units_(units),
      activation_(activation) {
    DLCTL_CHECK(activation_ == Activation::kLinear || activation_ == Activation::kRelu);
    std::size_t at = 0;
    std::int64_t weights = 0;
    for (const std::int64_t count : bins_) {
        DLCTL_CHECK(count > 0 && at + static_cast<std::size_t>(count) <= bin_rows.size());
        first_bin_.push_back(bin_rows[at]);
        first_weight_.push_back(weights);
        for (std::int64_t t = 1; t < count; ++t) DLCTL_CHECK(bin_rows[at + t] == bin_rows[at] + t);
        at += static_cast<std::size_t>(count);
        weights += count;
    }
    DLCTL_CHECK(at == bin_rows.size());
}

std::int64_t BinEmbedding::output_size() const {
    return units_ * columns() + routing_.passed_count();
}

std::int64_t BinEmbedding::parameter_count() const {
    const std::int64_t weights = first_weight_.empty() ? 0 : first_weight_.back() + bins_.back();
    return units_ * (weights + columns());
}

void BinEmbedding::bind(float* params, float*) {
    weight_ = {params, units_, parameter_count() / std::max<std::int64_t>(units_, 1) - columns()};
    bias_ = {params + weight_.size(), units_, columns()};
}

void BinEmbedding::attach(Backend& backend) { routing_.attach(backend, units_ * columns()); }

void BinEmbedding::initialize(Rng& rng, float* host_params, float*) const {
    for (std::size_t i = 0; i < bins_.size(); ++i) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(bins_[i]));
        auto draw = [&](float* first, std::int64_t count) {
            for (std::int64_t j = 0; j < count; ++j) {
                first[j] = static_cast<float>((2.0 * rng.uniform() - 1.0) * bound);
            }
        };
        draw(host_params + units_ * first_weight_[i], units_ * bins_[i]);
        draw(host_params + weight_.size() + units_ * static_cast<std::int64_t>(i), units_);
    }
}

std::vector<std::pair<std::string, Tensor>> BinEmbedding::tensors() const {
    return {{"weight", weight_}, {"bias", bias_}};
}

std::int64_t BinEmbedding::workspace_floats(std::int64_t batch) const {
    return 2 * aligned_floats(units_ * columns() * batch) + aligned_floats(output_size() * batch);
}

MatrixBatch BinEmbedding::column_weights(float* weights, std::size_t i) const {
    return {weights + units_ * first_weight_[i], units_, bins_[i], units_, 0};
}

MatrixBatch BinEmbedding::column_bins(const Tensor& x, std::size_t i) const {
    return {x.data + first_bin_[i], bins_[i], x.cols, x.rows, 0};
}

MatrixBatch BinEmbedding::column_embedding(const Tensor& e, std::size_t i) const {
    return {e.data + units_ * static_cast<std::int64_t>(i), units_, e.cols, e.rows, 0};
}

Tensor BinEmbedding::forward(Backend& backend,
                             const Tensor& input,
                             float* work,
                             const ForwardContext&) const {
    const Tensor embedded{work, units_ * columns(), input.cols};
    const Tensor output{work + 2 * aligned_floats(embedded.size()), output_size(), input.cols};
    for (std::size_t i = 0; i < bins_.size(); ++i) {
        backend.gemm_batched(false, false, 1.0f, column_weights(weight_.data, i),
                             column_bins(input, i), 0.0f, column_embedding(embedded, i), 1);
    }
    if (columns() > 0) {
        backend.bias_activation_forward(activation_, {bias_.data, embedded.rows, 1}, embedded,
                                        embedded);
    }
    routing_.forward(backend, input, embedded, output);
    return output;
}

void BinEmbedding::backward(Backend& backend,
                            const Tensor& input,
                            float* work,
                            Tensor grad_output,
                            Tensor grad_input,
                            float* grads) const {
    const Tensor embedded{work, units_ * columns(), input.cols};
    const Tensor embedded_grad{work + aligned_floats(embedded.size()), embedded.rows, input.cols};
    routing_.backward(backend, grad_output, grad_input, embedded_grad);
    if (columns() == 0) return;
    backend.activation_bias_backward(activation_, embedded, embedded, embedded_grad, embedded_grad,
                                     {grads + weight_.size(), embedded.rows, 1}, true);
    for (std::size_t i = 0; i < bins_.size(); ++i) {
        backend.gemm_batched(false, true, 1.0f, column_embedding(embedded_grad, i),
                             column_bins(input, i), 1.0f, column_weights(grads, i), 1);
        if (grad_input.data != nullptr) {
            backend.gemm_batched(true, false, 1.0f, column_weights(weight_.data, i),
                                 column_embedding(embedded_grad, i), 0.0f,
                                 column_bins(grad_input, i), 1);
        }
    }
}

}  // namespace dlctl
