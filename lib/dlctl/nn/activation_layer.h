#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// A standalone activation: y = act(x).
class ActivationLayer final : public Layer {
  public:
    ActivationLayer(std::int64_t size, Activation activation);

    std::string type() const override { return "activation"; }
    std::unique_ptr<Layer> clone() const override;
    std::int64_t input_size() const override { return size_; }
    std::int64_t output_size() const override { return size_; }
    bool blocks_gradient_where_output_is_zero() const override;
    void allocate(Backend& backend, std::int64_t max_batch) override;
    Tensor forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) override;
    void backward(Backend& backend,
                  const Tensor& input,
                  Tensor grad_output,
                  Tensor grad_input,
                  bool accumulate) override;

  private:
    std::int64_t size_;
    Activation activation_;
    Buffer output_;
};

}  // namespace dlctl
