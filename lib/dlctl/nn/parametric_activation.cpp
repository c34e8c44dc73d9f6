#include "dlctl/nn/parametric_activation.h"

#include <algorithm>

namespace dlctl {

ParametricActivation::ParametricActivation(std::int64_t size, Activation activation)
    : size_(size), activation_(activation) {}

void ParametricActivation::bind(float* params, float*) { mix_ = {params, size_, 1}; }

void ParametricActivation::initialize(Rng&, float* host_params, float*) const {
    std::fill(host_params, host_params + size_, 1.0f);
}

std::vector<std::pair<std::string, Tensor>> ParametricActivation::tensors() const {
    return {{"mix", mix_}};
}

std::int64_t ParametricActivation::workspace_floats(std::int64_t batch) const {
    return aligned_floats(size_ * batch);
}

Tensor ParametricActivation::forward(Backend& backend,
                                     const Tensor& input,
                                     float* work,
                                     const ForwardContext&) const {
    const Tensor output{work, size_, input.cols};
    backend.parametric_activation_forward(activation_, input, mix_, output);
    return output;
}

void ParametricActivation::backward(Backend& backend,
                                    const Tensor& input,
                                    float*,
                                    Tensor grad_output,
                                    Tensor grad_input,
                                    float* grads) const {
    backend.parametric_activation_backward(activation_, input, mix_, grad_output, grad_input,
                                           {grads, size_, 1});
}

}  // namespace dlctl
