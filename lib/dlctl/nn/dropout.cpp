#include "dlctl/nn/dropout.h"

namespace dlctl {

Dropout::Dropout(std::int64_t size, float rate, std::uint64_t layer_index)
    : size_(size), rate_(rate), layer_index_(layer_index) {}

/// The mask, then the output.
std::int64_t Dropout::workspace_floats(std::int64_t batch) const {
    return 2 * aligned_floats(size_ * batch);
}

Tensor Dropout::forward(Backend& backend,
                        const Tensor& input,
                        float* work,
                        const ForwardContext& ctx) const {
    if (ctx.mode == Mode::kEval || rate_ == 0.0f) return input;
    const Tensor mask{work, size_, input.cols};
    const Tensor output{work + aligned_floats(size_ * input.cols), size_, input.cols};
    backend.dropout_forward(rate(), ctx.seed, layer_index_, ctx.random_counter(size_), input, mask,
                            output);
    return output;
}

void Dropout::backward(Backend& backend,
                       const Tensor& input,
                       float* work,
                       Tensor grad_output,
                       Tensor grad_input,
                       float* /*grads: no parameters*/) const {
    if (grad_input.data == nullptr) return;
    if (rate_ == 0.0f) {
        backend.copy(grad_output, grad_input);
        return;
    }
    backend.multiply(grad_output, {work, size_, input.cols}, grad_input);
}

}  // namespace dlctl
