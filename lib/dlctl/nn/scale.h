#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// y = x ⊙ w: one trainable factor per feature, starting at 1 (a diagonal dense layer; RealMLP's
/// front scale, which lets the network learn how much each input matters). Parameter: "weight"
/// (size × 1).
class Scale final : public Layer {
  public:
    explicit Scale(std::int64_t size);

    std::string type() const override { return "scale"; }
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

  private:
    std::int64_t size_;
    Tensor weight_;  ///< size × 1
};

}  // namespace dlctl
