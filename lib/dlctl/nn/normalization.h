#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// Batch normalisation (PyTorch BatchNorm1d semantics): parameters gamma (1) and beta (0) per
/// feature, state running mean (0) and running variance (1).
class BatchNorm final : public Layer {
  public:
    BatchNorm(std::int64_t size, float momentum, float eps);

    std::string type() const override { return "batch_norm"; }
    std::int64_t input_size() const override { return size_; }
    std::int64_t output_size() const override { return size_; }
    std::int64_t parameter_count() const override { return 2 * size_; }
    std::int64_t state_count() const override { return 2 * size_; }
    void bind(float* params, float* state) override;
    void initialize(Rng& rng, float* host_params, float* host_state) const override;
    std::int64_t workspace_floats(std::int64_t batch) const override;
    Tensor forward(Backend& backend,
                   const Tensor& input,
                   float* work,
                   const ForwardContext& ctx) const override;
    bool mixes_samples() const override { return true; }
    void backward(Backend& backend,
                  const Tensor& input,
                  float* work,
                  Tensor grad_output,
                  Tensor grad_input,
                  float* grads) const override;
    std::vector<std::pair<std::string, Tensor>> tensors() const override {
        return {{"weight", gamma_},
                {"bias", beta_},
                {"running_mean", running_mean_},
                {"running_var", running_var_}};
    }

  private:
    std::int64_t size_;
    float momentum_, eps_;
    Tensor gamma_, beta_, running_mean_, running_var_;
};

/// Layer normalisation over the features of each sample; gamma (1) and beta (0) per feature.
class LayerNorm final : public Layer {
  public:
    LayerNorm(std::int64_t size, float eps);

    std::string type() const override { return "layer_norm"; }
    std::int64_t input_size() const override { return size_; }
    std::int64_t output_size() const override { return size_; }
    std::int64_t parameter_count() const override { return 2 * size_; }
    void bind(float* params, float* state) override;
    void initialize(Rng& rng, float* host_params, float* host_state) const override;
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

    std::vector<std::pair<std::string, Tensor>> tensors() const override {
        return {{"weight", gamma_}, {"bias", beta_}};
    }

  private:
    std::int64_t size_;
    float eps_;
    Tensor gamma_, beta_;
};

}  // namespace dlctl
