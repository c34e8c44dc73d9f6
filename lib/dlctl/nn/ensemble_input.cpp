#include "dlctl/nn/ensemble_input.h"

namespace dlctl {

EnsembleInput::EnsembleInput(std::int64_t inputs, std::int64_t members, bool scaled)
    : inputs_(inputs), members_(members), scaled_(scaled) {}

void fill_random_signs(Rng& rng, float* values, std::int64_t count) {
    for (std::int64_t i = 0; i < count; ++i) values[i] = rng.below(2) == 0 ? -1.0f : 1.0f;
}

void EnsembleInput::bind(float* params, float*) {
    if (scaled_) scale_ = {params, inputs_ * members_, 1};
}

void EnsembleInput::initialize(Rng& rng, float* host_params, float*) const {
    if (scaled_) fill_random_signs(rng, host_params, inputs_ * members_);
}

std::vector<std::pair<std::string, Tensor>> EnsembleInput::tensors() const {
    if (!scaled_) return {};
    return {{"scale", {scale_.data, inputs_, members_}}};
}

std::int64_t EnsembleInput::workspace_floats(std::int64_t batch) const {
    // The output and, when scaled, the repeated input that the scale's gradient reads.
    return aligned_floats(inputs_ * members_ * batch) * (scaled_ ? 2 : 1);
}

Tensor EnsembleInput::forward(Backend& backend,
                              const Tensor& input,
                              float* work,
                              const ForwardContext&) const {
    const std::int64_t samples = input.cols, columns = members_ * samples;
    const Tensor out{work, inputs_, columns};
    if (!scaled_) {
        backend.repeat_columns(input, out);
        return out;
    }
    const Tensor repeated{work + aligned_floats(inputs_ * columns), inputs_, columns};
    backend.repeat_columns(input, repeated);
    backend.scale_rows({repeated.data, inputs_ * members_, samples}, scale_,
                       {out.data, inputs_ * members_, samples});
    return out;
}

void EnsembleInput::backward(Backend& backend,
                             const Tensor& input,
                             float* work,
                             Tensor grad_output,
                             Tensor grad_input,
                             float* grads) const {
    const std::int64_t samples = input.cols, columns = members_ * samples;
    const Tensor by_member{grad_output.data, inputs_ * members_, samples};
    if (scaled_) {
        const Tensor repeated{work + aligned_floats(inputs_ * columns), inputs_ * members_,
                              samples};
        backend.add_row_products(by_member, repeated, {grads, inputs_ * members_, 1});
        if (grad_input.data != nullptr) backend.scale_rows(by_member, scale_, by_member);
    }
    if (grad_input.data != nullptr) backend.sum_column_groups(grad_output, 1.0f, grad_input);
}

}  // namespace dlctl
