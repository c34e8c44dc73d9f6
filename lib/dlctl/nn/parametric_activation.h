#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// y = x + m ⊙ (act(x) - x) with a trainable mix m per unit, starting at 1 (so at first it is
/// act): each unit learns how far from linear to be (RealMLP's parametric activation). Parameter:
/// "mix" (size × 1).
class ParametricActivation final : public Layer {
  public:
    ParametricActivation(std::int64_t size, Activation activation);

    std::string type() const override { return "activation"; }
    std::int64_t input_size() const override { return size_; }
    std::int64_t output_size() const override { return size_; }
    std::int64_t parameter_count() const override { return size_; }
    void bind(float* params, float* state) override;
    void initialize(Rng& rng, float* host_params, float* host_state) const override;
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

  private:
    std::int64_t size_;
    Activation activation_;
    Tensor mix_;  ///< size × 1
};

}  // namespace dlctl
