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
    std::unique_ptr<Layer> clone() const override;
    std::int64_t input_size() const override { return inputs_; }
    std::int64_t output_size() const override { return units_; }
    std::int64_t parameter_count() const override;
    void bind(float* params, float* grads, float* state) override;
    void initialize(Rng& rng, float* host_params, float* host_state) const override;
    void add_penalty_gradient(Backend& backend) override;
    std::vector<std::pair<std::string, Tensor>> tensors() const override;
    /// Takes over a dropout after a relu: one pass applies bias, relu and mask, and the gradient
    /// needs no mask (an output passes its gradient iff it is positive and kept).
    bool fuse_dropout(const DropoutFusion& dropout) override;
    bool blocks_gradient_where_output_is_zero() const override;
    void skip_input_gradient_where_input_is_zero(bool skip) override { skip_zero_inputs_ = skip; }
    void allocate(Backend& backend, std::int64_t max_batch) override;
    Tensor forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) override;
    void backward(Backend& backend,
                  const Tensor& input,
                  Tensor grad_output,
                  Tensor grad_input,
                  bool accumulate) override;

    Activation activation() const { return activation_; }

  private:
    bool activates_in_place() const;

    std::int64_t inputs_;
    std::int64_t units_;
    Activation activation_;
    bool use_bias_;
    std::string initializer_;
    float l1_, l2_;
    Tensor weight_, bias_, weight_grad_, bias_grad_;
    Buffer output_;
    Buffer pre_activation_;  ///< allocated only when the layer does not activate in place
    std::optional<DropoutFusion> dropout_;  ///< the dropout after this layer, when fused
    bool skip_zero_inputs_ = false;         ///< whether grad_input is needed only where input ≠ 0
};

}  // namespace dlctl
