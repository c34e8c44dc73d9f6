#include "dlctl/nn/activation_layer.h"

namespace dlctl {

std::unique_ptr<Layer> ActivationLayer::clone() const {
    return std::make_unique<ActivationLayer>(size_, activation_);
}

ActivationLayer::ActivationLayer(std::int64_t size, Activation activation)
    : size_(size), activation_(activation) {}

void ActivationLayer::allocate(Backend& backend, std::int64_t max_batch) {
    output_ = backend.allocate(size_ * max_batch);
}

Tensor ActivationLayer::forward(Backend& backend, const Tensor& input, const ForwardContext&) {
    const Tensor output = output_.view(size_, input.cols);
    backend.activation(activation_, input, output);
    return output;
}

bool ActivationLayer::blocks_gradient_where_output_is_zero() const {
    return activation_ == Activation::kRelu;
}

void ActivationLayer::backward(Backend& backend,
                               const Tensor& input,
                               Tensor grad_output,
                               Tensor grad_input,
                               bool /*accumulate: no parameters*/) {
    if (grad_input.data == nullptr) return;
    backend.activation_backward(activation_, input, output_.view(size_, input.cols), grad_output,
                                grad_input);
}

}  // namespace dlctl
