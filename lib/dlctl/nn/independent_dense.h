#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// A dense layer of an ensemble of k members with weights of its own for each member (TabM's
/// output heads): member m computes y = act(W_m x + b_m). Parameters: "weight" (units × inputs ·
/// members: member m's W_m in columns [m · inputs, (m + 1) · inputs)) and "bias" (units ×
/// members). It sees `members` columns a sample (backend.h, "ensembles"); the members' products
/// run as one batched product.
class IndependentDense final : public Layer {
  public:
    IndependentDense(std::int64_t inputs,
                     std::int64_t units,
                     std::int64_t members,
                     Activation activation,
                     bool use_bias,
                     std::string initializer,
                     float l1 = 0.0f,
                     float l2 = 0.0f);

    std::string type() const override { return "dense"; }
    std::int64_t input_size() const override { return inputs_; }
    std::int64_t output_size() const override { return units_; }
    std::int64_t parameter_count() const override;
    void bind(float* params, float* state) override;
    void initialize(Rng& rng, float* host_params, float* host_state) const override;
    void add_penalty_gradient(Backend& backend, float* grads) const override;
    std::vector<std::pair<std::string, Tensor>> tensors() const override;
    std::int64_t workspace_floats(std::int64_t columns) const override;
    Tensor forward(Backend& backend,
                   const Tensor& input,
                   float* work,
                   const ForwardContext& ctx) const override;
    void backward(Backend& backend,
                  const Tensor& input,
                  float* work,
                  Tensor grad_output,
                  Tensor grad_input,
                  float* grads) const override;

  private:
    /// The pre-activation of a call whose output is `output` (in `work`): the output itself when
    /// the activation works in place.
    Tensor pre_activation(float* work, const Tensor& output) const;
    /// The members' weight matrices (or their gradients, from `weights`) as a batch.
    MatrixBatch weight_batch(float* weights) const;
    /// The members' blocks of a rows × (members · samples) tensor as a batch of rows × samples.
    MatrixBatch member_batch(const Tensor& t) const;
    /// `t` (rows × members · samples) seen as (members · rows) × samples.
    Tensor by_member(const Tensor& t) const;

    std::int64_t inputs_, units_, members_;
    Activation activation_;
    bool use_bias_;
    std::string initializer_;
    float l1_, l2_;
    Tensor weight_, bias_;  ///< bias as (members · units) × 1
};

}  // namespace dlctl
