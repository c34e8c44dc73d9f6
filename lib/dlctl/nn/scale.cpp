#include "dlctl/nn/scale.h"

#include <algorithm>

namespace dlctl {

Scale::Scale(std::int64_t size) : size_(size) {}

void Scale::bind(float* params, float*) { weight_ = {params, size_, 1}; }

void Scale::initialize(Rng&, float* host_params, float*) const {
    std::fill(host_params, host_params + size_, 1.0f);
}

std::vector<std::pair<std::string, Tensor>> Scale::tensors() const { return {{"weight", weight_}}; }

std::int64_t Scale::workspace_floats(std::int64_t batch) const {
    return aligned_floats(size_ * batch);
}

Tensor Scale::forward(Backend& backend,
                      const Tensor& input,
                      float* work,
                      const ForwardContext&) const {
    const Tensor output{work, size_, input.cols};
    backend.scale_rows(input, weight_, output);
    return output;
}

void Scale::backward(Backend& backend,
                     const Tensor& input,
                     float*,
                     Tensor grad_output,
                     Tensor grad_input,
                     float* grads) const {
    backend.add_row_products(grad_output, input, {grads, size_, 1});
    if (grad_input.data != nullptr) backend.scale_rows(grad_output, weight_, grad_input);
}

}  // namespace dlctl
