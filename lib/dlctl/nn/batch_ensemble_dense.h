#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// A dense layer of an ensemble of k members that share one weight matrix (BatchEnsemble, as
/// TabM uses it): member m computes y = act(s_m ⊙ (W (r_m ⊙ x)) + b_m). Parameters: "weight" W
/// (units × inputs, shared), "input_scale" r (inputs × members), "output_scale" s (units ×
/// members) and "bias" b (units × members). r starts at random signs in the ensemble's first
/// dense layer (`random_signs`) and at ones elsewhere, s at ones, b at zero. It sees `members`
/// columns a sample (backend.h, "ensembles"), so one product applies W to every member.
class BatchEnsembleDense final : public Layer {
  public:
    BatchEnsembleDense(std::int64_t inputs,
                       std::int64_t units,
                       std::int64_t members,
                       Activation activation,
                       bool use_bias,
                       std::string initializer,
                       bool random_signs,
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
    /// The parts of a call's workspace: the scaled input r ⊙ x, the product W (r ⊙ x), the
    /// pre-activation and the output (the same buffer when the activation works in place).
    struct Parts {
        Tensor scaled_input, product, pre_activation, output;
    };
    Parts parts(float* work, std::int64_t columns) const;
    /// `t` (rows × members · samples) seen as (members · rows) × samples: one member a block.
    Tensor by_member(const Tensor& t) const;

    std::int64_t inputs_, units_, members_;
    Activation activation_;
    bool use_bias_;
    std::string initializer_;
    bool random_signs_;
    float l1_, l2_;
    Tensor weight_, input_scale_, output_scale_, bias_;  ///< scales and bias as (members · n) × 1
};

}  // namespace dlctl
