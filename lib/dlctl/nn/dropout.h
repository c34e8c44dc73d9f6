#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// Inverted dropout: in training each activation is zeroed with probability `rate` and the rest
/// scaled by 1 / (1 - rate); in evaluation the layer passes its input through unchanged. Masks
/// come from the counter-based RNG keyed on (seed, layer index, step), so any device reproduces
/// them. A dropout schedule (train.dropout_schedule) sets a factor on the rate between steps.
class Dropout final : public Layer {
  public:
    Dropout(std::int64_t size, float rate, std::uint64_t layer_index);

    std::string type() const override { return "dropout"; }
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

    /// The rate of the next steps: the configured rate × the schedule's factor.
    float rate() const { return rate_ * factor_; }
    float configured_rate() const { return rate_; }
    /// Sets the schedule's factor (in [0, 1]) for the next steps; never during a step.
    void set_rate_factor(float factor) { factor_ = factor; }
    /// The substream of the layer's masks: its index in the model spec.
    std::uint64_t stream() const { return layer_index_; }

  private:
    std::int64_t size_;
    float rate_;
    float factor_ = 1.0f;
    std::uint64_t layer_index_;
};

}  // namespace dlctl
