#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// The start of an ensemble of k members (TabM): each sample's input repeated k times, one
/// column a member (backend.h, "ensembles"). `scaled` adds TabM-mini's adapter: a trainable
/// factor per member and feature, starting at random signs, so that the members differ from
/// the first product on. Parameter: "scale", inputs × members (member m's factors in column m).
class EnsembleInput final : public Layer {
  public:
    EnsembleInput(std::int64_t inputs, std::int64_t members, bool scaled);

    std::string type() const override { return "ensemble"; }
    std::int64_t input_size() const override { return inputs_; }
    std::int64_t output_size() const override { return inputs_; }
    std::int64_t column_factor() const override { return members_; }
    std::int64_t parameter_count() const override { return scaled_ ? inputs_ * members_ : 0; }
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
    std::int64_t inputs_;
    std::int64_t members_;
    bool scaled_;
    Tensor scale_;  ///< (inputs · members) × 1
};

/// Draws ±1 with equal odds into `values` (TabM's first adapter).
void fill_random_signs(Rng& rng, float* values, std::int64_t count);

}  // namespace dlctl
