#include "dlctl/nn/dense.h"

#include "dlctl/nn/initializers.h"

namespace dlctl {

std::unique_ptr<Layer> Dense::clone() const {
    return std::make_unique<Dense>(inputs_, units_, activation_, use_bias_, initializer_, l1_, l2_);
}

Dense::Dense(std::int64_t inputs,
             std::int64_t units,
             Activation activation,
             bool use_bias,
             std::string initializer,
             float l1,
             float l2)
    : inputs_(inputs),
      units_(units),
      activation_(activation),
      use_bias_(use_bias),
      initializer_(std::move(initializer)),
      l1_(l1),
      l2_(l2) {}

std::int64_t Dense::parameter_count() const { return units_ * inputs_ + (use_bias_ ? units_ : 0); }

void Dense::bind(float* params, float* grads, float*) {
    weight_ = {params, units_, inputs_};
    weight_grad_ = {grads, units_, inputs_};
    if (use_bias_) {
        bias_ = {params + units_ * inputs_, units_, 1};
        bias_grad_ = {grads + units_ * inputs_, units_, 1};
    }
}

void Dense::initialize(Rng& rng, float* host_params, float*) const {
    initialize_weights(initializer_, inputs_, units_, rng, host_params, units_ * inputs_);
    // Biases start at zero (the buffer is zero-filled).
}

std::vector<std::pair<std::string, Tensor>> Dense::tensors() const {
    if (!use_bias_) return {{"weight", weight_}};
    return {{"weight", weight_}, {"bias", bias_}};
}

void Dense::add_penalty_gradient(Backend& backend) {
    if (l1_ > 0.0f || l2_ > 0.0f) backend.add_penalty_gradient(weight_, weight_grad_, l1_, l2_);
}

bool Dense::fuse_dropout(const DropoutFusion& dropout) {
    if (activation_ != Activation::kRelu) return false;
    dropout_ = dropout;
    return true;
}

bool Dense::blocks_gradient_where_output_is_zero() const {
    return activation_ == Activation::kRelu;
}

/// Linear and relu layers activate in place, their gradients taken from the output (relu's
/// output is positive exactly where its input is): one buffer instead of two, so more of a pass
/// stays in cache.
bool Dense::activates_in_place() const {
    return activation_ == Activation::kLinear || activation_ == Activation::kRelu;
}

void Dense::allocate(Backend& backend, std::int64_t max_batch) {
    output_ = backend.allocate(units_ * max_batch);
    if (!activates_in_place()) pre_activation_ = backend.allocate(units_ * max_batch);
}

Tensor Dense::forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) {
    const std::int64_t batch = input.cols;
    const Tensor a = output_.view(units_, batch);
    const Tensor z = activates_in_place() ? a : pre_activation_.view(units_, batch);
    backend.gemm(false, false, 1.0f, weight_, input, 0.0f, z);
    if (dropout_ && ctx.mode == Mode::kTrain) {
        backend.bias_relu_dropout_forward(dropout_->rate, ctx.seed, dropout_->substream,
                                          dropout_counter_offset(ctx, units_), bias_, a);
    } else {
        backend.bias_activation_forward(activation_, bias_, z, a);
    }
    return a;
}

void Dense::backward(
    Backend& backend, const Tensor& input, Tensor grad_output, Tensor grad_input, bool accumulate) {
    const std::int64_t batch = input.cols;
    const Tensor a = output_.view(units_, batch);
    const Tensor z = activates_in_place() ? a : pre_activation_.view(units_, batch);
    // grad_output becomes dL/dz; the bias gradient is its sum over the batch.
    if (dropout_) {
        backend.relu_dropout_bias_backward(dropout_->rate, a, grad_output, grad_output, bias_grad_,
                                           accumulate);
    } else {
        backend.activation_bias_backward(activation_, z, a, grad_output, grad_output, bias_grad_,
                                         accumulate);
    }
    backend.gemm(false, true, 1.0f, grad_output, input, accumulate ? 1.0f : 0.0f, weight_grad_);
    if (grad_input.data == nullptr) return;
    if (skip_zero_inputs_) {
        backend.input_gradient_where_nonzero(weight_, grad_output, input, grad_input);
    } else {
        backend.gemm(true, false, 1.0f, weight_, grad_output, 0.0f, grad_input);
    }
}

}  // namespace dlctl
