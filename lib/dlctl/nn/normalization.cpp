#include "dlctl/nn/normalization.h"

#include <algorithm>

namespace dlctl {

namespace {

/// A normalisation call's workspace: the saved mean and 1/σ (`stats` floats each), then the
/// output.
struct NormalizationWork {
    Tensor mean, inv_std, output;
};

NormalizationWork carve(float* work,
                        std::int64_t stat_rows,
                        std::int64_t stat_cols,
                        std::int64_t features,
                        std::int64_t batch) {
    const std::int64_t stats = aligned_floats(stat_rows * stat_cols);
    return {{work, stat_rows, stat_cols},
            {work + stats, stat_rows, stat_cols},
            {work + 2 * stats, features, batch}};
}

std::int64_t normalization_floats(std::int64_t stats, std::int64_t outputs) {
    return 2 * aligned_floats(stats) + aligned_floats(outputs);
}

}  // namespace

BatchNorm::BatchNorm(std::int64_t size, float momentum, float eps)
    : size_(size), momentum_(momentum), eps_(eps) {}

void BatchNorm::bind(float* params, float* state) {
    gamma_ = {params, size_, 1};
    beta_ = {params + size_, size_, 1};
    running_mean_ = {state, size_, 1};
    running_var_ = {state + size_, size_, 1};
}

void BatchNorm::initialize(Rng&, float* host_params, float* host_state) const {
    std::fill(host_params, host_params + size_, 1.0f);            // gamma
    std::fill(host_state + size_, host_state + 2 * size_, 1.0f);  // running variance
}

std::int64_t BatchNorm::workspace_floats(std::int64_t batch) const {
    return normalization_floats(size_, size_ * batch);
}

Tensor BatchNorm::forward(Backend& backend,
                          const Tensor& input,
                          float* work,
                          const ForwardContext& ctx) const {
    const NormalizationWork w = carve(work, size_, 1, size_, input.cols);
    backend.batch_norm_forward(ctx.mode == Mode::kTrain, momentum_, eps_, input, gamma_, beta_,
                               running_mean_, running_var_, w.mean, w.inv_std, w.output);
    return w.output;
}

void BatchNorm::backward(Backend& backend,
                         const Tensor& input,
                         float* work,
                         Tensor grad_output,
                         Tensor grad_input,
                         float* grads) const {
    const NormalizationWork w = carve(work, size_, 1, size_, input.cols);
    backend.batch_norm_backward(input, gamma_, w.mean, w.inv_std, grad_output, grad_input,
                                {grads, size_, 1}, {grads + size_, size_, 1});
}

LayerNorm::LayerNorm(std::int64_t size, float eps) : size_(size), eps_(eps) {}

void LayerNorm::bind(float* params, float*) {
    gamma_ = {params, size_, 1};
    beta_ = {params + size_, size_, 1};
}

void LayerNorm::initialize(Rng&, float* host_params, float*) const {
    std::fill(host_params, host_params + size_, 1.0f);  // gamma
}

std::int64_t LayerNorm::workspace_floats(std::int64_t batch) const {
    return normalization_floats(batch, size_ * batch);
}

Tensor LayerNorm::forward(Backend& backend,
                          const Tensor& input,
                          float* work,
                          const ForwardContext&) const {
    const NormalizationWork w = carve(work, 1, input.cols, size_, input.cols);
    backend.layer_norm_forward(eps_, input, gamma_, beta_, w.mean, w.inv_std, w.output);
    return w.output;
}

void LayerNorm::backward(Backend& backend,
                         const Tensor& input,
                         float* work,
                         Tensor grad_output,
                         Tensor grad_input,
                         float* grads) const {
    const NormalizationWork w = carve(work, 1, input.cols, size_, input.cols);
    backend.layer_norm_backward(input, gamma_, w.mean, w.inv_std, grad_output, grad_input,
                                {grads, size_, 1}, {grads + size_, size_, 1});
}

}  // namespace dlctl
