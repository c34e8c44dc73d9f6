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

/// The output, then act(x), which backward reads.
std::int64_t ParametricActivation::workspace_floats(std::int64_t batch) const {
    return 2 * aligned_floats(size_ * batch);
}

Tensor ParametricActivation::forward(Backend& backend,
                                     const Tensor& input,
                                     float* work,
                                     const ForwardContext&) const {
    const Tensor output{work, size_, input.cols};
    const Tensor activated{work + aligned_floats(size_ * input.cols), size_, input.cols};
    backend.parametric_activation_forward(activation_, input, mix_, activated, output);
    return output;
}

void ParametricActivation::backward(Backend& backend,
                                    const Tensor& input,
                                    float* work,
                                    Tensor grad_output,
                                    Tensor grad_input,
                                    float* grads) const {
    const Tensor activated{work + aligned_floats(size_ * input.cols), size_, input.cols};
    backend.parametric_activation_backward(activation_, input, activated, mix_, grad_output,
                                           grad_input, {grads, size_, 1});
}

}  // namespace dlctl
