#include "dlctl/nn/independent_dense.h"

#include "dlctl/nn/initializers.h"

namespace dlctl {

IndependentDense::IndependentDense(std::int64_t inputs,
                                   std::int64_t units,
                                   std::int64_t members,
                                   Activation activation,
                                   bool use_bias,
                                   std::string initializer,
                                   float l1,
                                   float l2)
    : inputs_(inputs),
      units_(units),
      members_(members),
      activation_(activation),
      use_bias_(use_bias),
      initializer_(std::move(initializer)),
      l1_(l1),
      l2_(l2) {}

std::int64_t IndependentDense::parameter_count() const {
    return members_ * units_ * (inputs_ + (use_bias_ ? 1 : 0));
}

void IndependentDense::bind(float* params, float*) {
    weight_ = {params, units_, inputs_ * members_};
    if (use_bias_) bias_ = {params + weight_.size(), members_ * units_, 1};
}

void IndependentDense::initialize(Rng& rng, float* host_params, float*) const {
    for (std::int64_t m = 0; m < members_; ++m) {
        initialize_weights(initializer_, inputs_, units_, rng, host_params + m * units_ * inputs_,
                           units_ * inputs_);
    }
}

std::vector<std::pair<std::string, Tensor>> IndependentDense::tensors() const {
    if (!use_bias_) return {{"weight", weight_}};
    return {{"weight", weight_}, {"bias", {bias_.data, units_, members_}}};
}

void IndependentDense::add_penalty_gradient(Backend& backend, float* grads) const {
    if (l1_ > 0.0f || l2_ > 0.0f) {
        backend.add_penalty_gradient(weight_, {grads, weight_.rows, weight_.cols}, l1_, l2_);
    }
}

std::int64_t IndependentDense::workspace_floats(std::int64_t columns) const {
    return aligned_floats(units_ * columns) * (activates_in_place(activation_) ? 1 : 2);
}

Tensor IndependentDense::pre_activation(float* work, const Tensor& output) const {
    if (activates_in_place(activation_)) return output;
    return {work + aligned_floats(output.size()), output.rows, output.cols};
}

MatrixBatch IndependentDense::weight_batch(float* weights) const {
    return {weights, units_, inputs_, units_, units_ * inputs_};
}

MatrixBatch IndependentDense::member_batch(const Tensor& t) const {
    return {t.data, t.rows, t.cols / members_, t.rows * members_, t.rows};
}

Tensor IndependentDense::by_member(const Tensor& t) const {
    return {t.data, t.rows * members_, t.cols / members_};
}

Tensor IndependentDense::forward(Backend& backend,
                                 const Tensor& input,
                                 float* work,
                                 const ForwardContext&) const {
    const Tensor a{work, units_, input.cols};
    const Tensor z = pre_activation(work, a);
    backend.gemm_batched(false, false, 1.0f, weight_batch(weight_.data), member_batch(input), 0.0f,
                         member_batch(z), members_);
    backend.bias_activation_forward(activation_, bias_, by_member(z), by_member(a));
    return a;
}

void IndependentDense::backward(Backend& backend,
                                const Tensor& input,
                                float* work,
                                Tensor grad_output,
                                Tensor grad_input,
                                float* grads) const {
    const Tensor a{work, units_, input.cols};
    const Tensor z = pre_activation(work, a);
    const Tensor bias_grad =
        use_bias_ ? Tensor{grads + weight_.size(), members_ * units_, 1} : Tensor{};
    backend.activation_bias_backward(activation_, by_member(z), by_member(a),
                                     by_member(grad_output), by_member(grad_output), bias_grad,
                                     true);
    backend.gemm_batched(false, true, 1.0f, member_batch(grad_output), member_batch(input), 1.0f,
                         weight_batch(grads), members_);
    if (grad_input.data != nullptr) {
        backend.gemm_batched(true, false, 1.0f, weight_batch(weight_.data),
                             member_batch(grad_output), 0.0f, member_batch(grad_input), members_);
    }
}

}  // namespace dlctl
