#include "dlctl/nn/dense.h"

#include "dlctl/nn/initializers.h"

namespace dlctl {

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

void Dense::bind(float* params, float*) {
    weight_ = {params, units_, inputs_};
    if (use_bias_) bias_ = {params + units_ * inputs_, units_, 1};
}

Tensor Dense::bias_gradient(float* grads) const {
    if (!use_bias_) return {};
    return {grads + units_ * inputs_, units_, 1};
}

void Dense::initialize(Rng& rng, float* host_params, float*) const {
    initialize_weights(initializer_, inputs_, units_, rng, host_params, units_ * inputs_);
    // Biases start at zero (the buffer is zero-filled).
}

std::vector<std::pair<std::string, Tensor>> Dense::tensors() const {
    if (!use_bias_) return {{"weight", weight_}};
    return {{"weight", weight_}, {"bias", bias_}};
}

void Dense::add_penalty_gradient(Backend& backend, float* grads) const {
    if (l1_ > 0.0f || l2_ > 0.0f) {
        backend.add_penalty_gradient(weight_, weight_gradient(grads), l1_, l2_);
    }
}

bool Dense::activates_in_place() const { return dlctl::activates_in_place(activation_); }

std::int64_t Dense::workspace_floats(std::int64_t batch) const {
    return aligned_floats(units_ * batch) * (activates_in_place() ? 1 : 2);
}

Tensor Dense::pre_activation(float* work, std::int64_t batch) const {
    if (activates_in_place()) return output(work, batch);
    return {work + aligned_floats(units_ * batch), units_, batch};
}

Tensor Dense::forward(Backend& backend,
                      const Tensor& input,
                      float* work,
                      const ForwardContext&) const {
    const Tensor a = output(work, input.cols), z = pre_activation(work, input.cols);
    backend.gemm(false, false, 1.0f, weight_, input, 0.0f, z);
    backend.bias_activation_forward(activation_, bias_, z, a);
    return a;
}

void Dense::backward(Backend& backend,
                     const Tensor& input,
                     float* work,
                     Tensor grad_output,
                     Tensor grad_input,
                     float* grads) const {
    const Tensor a = output(work, input.cols), z = pre_activation(work, input.cols);
    // grad_output becomes dL/dz; the bias gradient is its sum over the batch.
    backend.activation_bias_backward(activation_, z, a, grad_output, grad_output,
                                     bias_gradient(grads), true);
    backend.gemm(false, true, 1.0f, grad_output, input, 1.0f, weight_gradient(grads));
    if (grad_input.data != nullptr) {
        backend.gemm(true, false, 1.0f, weight_, grad_output, 0.0f, grad_input);
    }
}

}  // namespace dlctl
