#include "dlctl/nn/normalization.h"

#include <algorithm>

#include "dlctl/core/error.h"

namespace dlctl {

std::unique_ptr<Layer> BatchNorm::clone() const {
    return std::make_unique<BatchNorm>(size_, momentum_, eps_);
}

std::unique_ptr<Layer> LayerNorm::clone() const { return std::make_unique<LayerNorm>(size_, eps_); }

BatchNorm::BatchNorm(std::int64_t size, float momentum, float eps)
    : size_(size), momentum_(momentum), eps_(eps) {}

void BatchNorm::bind(float* params, float* grads, float* state) {
    gamma_ = {params, size_, 1};
    beta_ = {params + size_, size_, 1};
    gamma_grad_ = {grads, size_, 1};
    beta_grad_ = {grads + size_, size_, 1};
    running_mean_ = {state, size_, 1};
    running_var_ = {state + size_, size_, 1};
}

void BatchNorm::initialize(Rng&, float* host_params, float* host_state) const {
    std::fill(host_params, host_params + size_, 1.0f);            // gamma
    std::fill(host_state + size_, host_state + 2 * size_, 1.0f);  // running variance
}

void BatchNorm::allocate(Backend& backend, std::int64_t max_batch) {
    saved_mean_ = backend.allocate(size_);
    saved_inv_std_ = backend.allocate(size_);
    output_ = backend.allocate(size_ * max_batch);
}

Tensor BatchNorm::forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) {
    const Tensor output = output_.view(size_, input.cols);
    backend.batch_norm_forward(ctx.mode == Mode::kTrain, momentum_, eps_, input, gamma_, beta_,
                               running_mean_, running_var_, saved_mean_.view(size_, 1),
                               saved_inv_std_.view(size_, 1), output);
    return output;
}

void BatchNorm::backward(
    Backend& backend, const Tensor& input, Tensor grad_output, Tensor grad_input, bool accumulate) {
    DLCTL_CHECK(!accumulate);  // mixes_samples(): a batch is one pass
    backend.batch_norm_backward(input, gamma_, saved_mean_.view(size_, 1),
                                saved_inv_std_.view(size_, 1), grad_output, grad_input, gamma_grad_,
                                beta_grad_);
}

LayerNorm::LayerNorm(std::int64_t size, float eps) : size_(size), eps_(eps) {}

void LayerNorm::bind(float* params, float* grads, float*) {
    gamma_ = {params, size_, 1};
    beta_ = {params + size_, size_, 1};
    gamma_grad_ = {grads, size_, 1};
    beta_grad_ = {grads + size_, size_, 1};
}

void LayerNorm::initialize(Rng&, float* host_params, float*) const {
    std::fill(host_params, host_params + size_, 1.0f);  // gamma
}

void LayerNorm::allocate(Backend& backend, std::int64_t max_batch) {
    saved_mean_ = backend.allocate(max_batch);
    saved_inv_std_ = backend.allocate(max_batch);
    output_ = backend.allocate(size_ * max_batch);
}

Tensor LayerNorm::forward(Backend& backend, const Tensor& input, const ForwardContext&) {
    const Tensor output = output_.view(size_, input.cols);
    backend.layer_norm_forward(eps_, input, gamma_, beta_, saved_mean_.view(1, input.cols),
                               saved_inv_std_.view(1, input.cols), output);
    return output;
}

void LayerNorm::backward(
    Backend& backend, const Tensor& input, Tensor grad_output, Tensor grad_input, bool accumulate) {
    backend.layer_norm_backward(input, gamma_, saved_mean_.view(1, input.cols),
                                saved_inv_std_.view(1, input.cols), grad_output, grad_input,
                                gamma_grad_, beta_grad_, accumulate);
}

}  // namespace dlctl
