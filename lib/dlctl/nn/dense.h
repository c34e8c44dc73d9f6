#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// y = act(W x + b), W output × input. Parameters: W (column-major) then b.
class Dense final : public Layer {
  public:
    Dense(std::int64_t inputs,
          std::int64_t units,
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
    std::int64_t workspace_floats(std::int64_t batch) const override;
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

    Activation activation() const { return activation_; }
    Tensor weight() const { return weight_; }
    /// Empty without a bias.
    Tensor bias() const { return bias_; }
    /// The weight's and the bias's parts of the layer's gradient slice `grads`.
    Tensor weight_gradient(float* grads) const { return {grads, units_, inputs_}; }
    Tensor bias_gradient(float* grads) const;
    /// Linear and relu layers activate in place (the gradient is taken from the output): one
    /// buffer instead of two, so more of a call stays in cache.
    bool activates_in_place() const;
    /// The output in a call's workspace, and the pre-activation (the output itself in place).
    Tensor output(float* work, std::int64_t batch) const { return {work, units_, batch}; }
    Tensor pre_activation(float* work, std::int64_t batch) const;

  private:
    std::int64_t inputs_;
    std::int64_t units_;
    Activation activation_;
    bool use_bias_;
    std::string initializer_;
    float l1_, l2_;
    Tensor weight_, bias_;
};

}  // namespace dlctl
