#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// Inverted dropout: in training each activation is zeroed with probability `rate` and the rest
/// scaled by 1 / (1 - rate); in evaluation the layer passes its input through unchanged. Masks
/// come from the counter-based RNG keyed on (seed, layer index, step), so any device reproduces
/// them. After a dense relu layer, that layer applies it (fusable_dropout) and Sequential never
/// allocates or runs this one.
class Dropout final : public Layer {
  public:
    Dropout(std::int64_t size, float rate, std::uint64_t layer_index);

    std::string type() const override { return "dropout"; }
    std::unique_ptr<Layer> clone() const override;
    std::int64_t input_size() const override { return size_; }
    std::int64_t output_size() const override { return size_; }
    std::optional<DropoutFusion> fusable_dropout() const override;
    void allocate(Backend& backend, std::int64_t max_batch) override;
    Tensor forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) override;
    void backward(Backend& backend,
                  const Tensor& input,
                  Tensor grad_output,
                  Tensor grad_input,
                  bool accumulate) override;

  private:
    std::int64_t size_;
    float rate_;
    std::uint64_t layer_index_;
    Buffer mask_, output_;
};

}  // namespace dlctl
