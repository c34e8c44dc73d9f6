#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// A standalone activation: y = act(x).
class ActivationLayer final : public Layer {
  public:
    ActivationLayer(std::int64_t size, Activation activation);

    std::string type() const override { return "activation"; }
    std::int64_t input_size() const override { return size_; }
    std::int64_t output_size() const override { return size_; }
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
};

}  // namespace dlctl
