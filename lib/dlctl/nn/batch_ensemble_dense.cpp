#include "dlctl/nn/batch_ensemble_dense.h"

#include <algorithm>

#include "dlctl/nn/ensemble_input.h"
#include "dlctl/nn/initializers.h"

namespace dlctl {

BatchEnsembleDense::BatchEnsembleDense(std::int64_t inputs,
                                       std::int64_t units,
                                       std::int64_t members,
                                       Activation activation,
                                       bool use_bias,
                                       std::string initializer,
                                       bool random_signs,
                                       float l1,
                                       float l2)
    : inputs_(inputs),
      units_(units),
      members_(members),
      activation_(activation),
      use_bias_(use_bias),
      initializer_(std::move(initializer)),
      random_signs_(random_signs),
      l1_(l1),
      l2_(l2) {}

std::int64_t BatchEnsembleDense::parameter_count() const {
    return units_ * inputs_ + members_ * (inputs_ + units_ + (use_bias_ ? units_ : 0));
}

void BatchEnsembleDense::bind(float* params, float*) {
    weight_ = {params, units_, inputs_};
    input_scale_ = {weight_.data + weight_.size(), members_ * inputs_, 1};
    output_scale_ = {input_scale_.data + input_scale_.size(), members_ * units_, 1};
    if (use_bias_) bias_ = {output_scale_.data + output_scale_.size(), members_ * units_, 1};
}

void BatchEnsembleDense::initialize(Rng& rng, float* host_params, float*) const {
    initialize_weights(initializer_, inputs_, units_, rng, host_params, units_ * inputs_);
    float* input_scale = host_params + units_ * inputs_;
    if (random_signs_) {
        fill_random_signs(rng, input_scale, members_ * inputs_);
    } else {
        std::fill(input_scale, input_scale + members_ * inputs_, 1.0f);
    }
    float* output_scale = input_scale + members_ * inputs_;
    std::fill(output_scale, output_scale + members_ * units_, 1.0f);
    // Biases start at zero (the buffer is zero-filled).
}

std::vector<std::pair<std::string, Tensor>> BatchEnsembleDense::tensors() const {
    std::vector<std::pair<std::string, Tensor>> out{
        {"weight", weight_},
        {"input_scale", {input_scale_.data, inputs_, members_}},
        {"output_scale", {output_scale_.data, units_, members_}}};
    if (use_bias_) out.push_back({"bias", {bias_.data, units_, members_}});
    return out;
}

void BatchEnsembleDense::add_penalty_gradient(Backend& backend, float* grads) const {
    if (l1_ > 0.0f || l2_ > 0.0f) {
        backend.add_penalty_gradient(weight_, {grads, units_, inputs_}, l1_, l2_);
    }
}

std::int64_t BatchEnsembleDense::workspace_floats(std::int64_t columns) const {
    const std::int64_t outputs = aligned_floats(units_ * columns);
    return aligned_floats(inputs_ * columns) + outputs * (activates_in_place(activation_) ? 2 : 3);
}

BatchEnsembleDense::Parts BatchEnsembleDense::parts(float* work, std::int64_t columns) const {
    Parts p;
    p.scaled_input = {work, inputs_, columns};
    float* next = work + aligned_floats(inputs_ * columns);
    p.product = {next, units_, columns};
    next += aligned_floats(units_ * columns);
    p.output = {next, units_, columns};
    next += aligned_floats(units_ * columns);
    p.pre_activation = activates_in_place(activation_) ? p.output : Tensor{next, units_, columns};
    return p;
}

Tensor BatchEnsembleDense::by_member(const Tensor& t) const {
    return {t.data, t.rows * members_, t.cols / members_};
}

Tensor BatchEnsembleDense::forward(Backend& backend,
                                   const Tensor& input,
                                   float* work,
                                   const ForwardContext&) const {
    const Parts p = parts(work, input.cols);
    backend.scale_rows(by_member(input), input_scale_, by_member(p.scaled_input));
    backend.gemm(false, false, 1.0f, weight_, p.scaled_input, 0.0f, p.product);
    backend.scale_rows(by_member(p.product), output_scale_, by_member(p.pre_activation));
    backend.bias_activation_forward(activation_, bias_, by_member(p.pre_activation),
                                    by_member(p.output));
    return p.output;
}

void BatchEnsembleDense::backward(Backend& backend,
                                  const Tensor& input,
                                  float* work,
                                  Tensor grad_output,
                                  Tensor grad_input,
                                  float* grads) const {
    const Parts p = parts(work, input.cols);
    const Tensor weight_grad{grads, units_, inputs_};
    const Tensor input_scale_grad{weight_grad.data + weight_grad.size(), members_ * inputs_, 1};
    const Tensor output_scale_grad{input_scale_grad.data + input_scale_grad.size(),
                                   members_ * units_, 1};
    const Tensor bias_grad =
        use_bias_ ? Tensor{output_scale_grad.data + output_scale_grad.size(), members_ * units_, 1}
                  : Tensor{};
    // grad_output becomes d loss / d pre-activation, then d loss / d product.
    const Tensor d_pre = by_member(grad_output);
    backend.activation_bias_backward(activation_, by_member(p.pre_activation), by_member(p.output),
                                     d_pre, d_pre, bias_grad, true);
    backend.add_row_products(d_pre, by_member(p.product), output_scale_grad);
    backend.scale_rows(d_pre, output_scale_, d_pre);
    backend.gemm(false, true, 1.0f, grad_output, p.scaled_input, 1.0f, weight_grad);
    // d loss / d (r ⊙ x) goes where the input gradient goes, or over the scaled input, which
    // nothing reads any more.
    const Tensor d_scaled = grad_input.data != nullptr ? grad_input : p.scaled_input;
    backend.gemm(true, false, 1.0f, weight_, grad_output, 0.0f, d_scaled);
    backend.add_row_products(by_member(d_scaled), by_member(input), input_scale_grad);
    if (grad_input.data != nullptr) {
        backend.scale_rows(by_member(grad_input), input_scale_, by_member(grad_input));
    }
}

}  // namespace dlctl
