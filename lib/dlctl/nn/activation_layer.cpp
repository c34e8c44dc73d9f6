#include "dlctl/nn/activation_layer.h"

namespace dlctl {

ActivationLayer::ActivationLayer(std::int64_t size, Activation activation)
    : size_(size), activation_(activation) {}

std::int64_t ActivationLayer::workspace_floats(std::int64_t batch) const {
    return aligned_floats(size_ * batch);
}

Tensor ActivationLayer::forward(Backend& backend,
                                const Tensor& input,
                                float* work,
                                const ForwardContext&) const {
    const Tensor output{work, size_, input.cols};
    backend.activation(activation_, input, output);
    return output;
}

void ActivationLayer::backward(Backend& backend,
                               const Tensor& input,
                               float* work,
                               Tensor grad_output,
                               Tensor grad_input,
                               float* /*grads: no parameters*/) const {
    if (grad_input.data == nullptr) return;
    backend.activation_backward(activation_, input, {work, size_, input.cols}, grad_output,
                                grad_input);
}

}  // namespace dlctl
