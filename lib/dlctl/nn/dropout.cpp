#include "dlctl/nn/dropout.h"

namespace dlctl {

std::unique_ptr<Layer> Dropout::clone() const {
    return std::make_unique<Dropout>(size_, rate_, layer_index_);
}

Dropout::Dropout(std::int64_t size, float rate, std::uint64_t layer_index)
    : size_(size), rate_(rate), layer_index_(layer_index) {}

std::optional<DropoutFusion> Dropout::fusable_dropout() const {
    if (rate_ == 0.0f) return std::nullopt;
    return DropoutFusion{rate_, layer_index_};
}

void Dropout::allocate(Backend& backend, std::int64_t max_batch) {
    mask_ = backend.allocate(size_ * max_batch);
    output_ = backend.allocate(size_ * max_batch);
}

Tensor Dropout::forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) {
    if (ctx.mode == Mode::kEval || rate_ == 0.0f) return input;
    const Tensor mask = mask_.view(size_, input.cols);
    const Tensor output = output_.view(size_, input.cols);
    backend.dropout_forward(rate_, ctx.seed, layer_index_, dropout_counter_offset(ctx, size_),
                            input, mask, output);
    return output;
}

void Dropout::backward(Backend& backend,
                       const Tensor& input,
                       Tensor grad_output,
                       Tensor grad_input,
                       bool /*accumulate: no parameters*/) {
    if (grad_input.data == nullptr) return;
    if (rate_ == 0.0f) {
        backend.copy(grad_output, grad_input);
        return;
    }
    backend.multiply(grad_output, mask_.view(size_, input.cols), grad_input);
}

}  // namespace dlctl
