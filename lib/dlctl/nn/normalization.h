#pragma once

#include "dlctl/nn/layer.h"

namespace dlctl {

/// Batch normalisation (PyTorch BatchNorm1d semantics): parameters gamma (1) and beta (0) per
/// feature, state running mean (0) and running variance (1).
class BatchNorm final : public Layer {
  public:
    BatchNorm(std::int64_t size, float momentum, float eps);

    std::string type() const override { return "batch_norm"; }
    std::unique_ptr<Layer> clone() const override;
    std::int64_t input_size() const override { return size_; }
    std::int64_t output_size() const override { return size_; }
    std::int64_t parameter_count() const override { return 2 * size_; }
    std::int64_t state_count() const override { return 2 * size_; }
    void bind(float* params, float* grads, float* state) override;
    void initialize(Rng& rng, float* host_params, float* host_state) const override;
    void allocate(Backend& backend, std::int64_t max_batch) override;
    Tensor forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) override;
    bool mixes_samples() const override { return true; }
    void backward(Backend& backend,
                  const Tensor& input,
                  Tensor grad_output,
                  Tensor grad_input,
                  bool accumulate) override;
    std::vector<std::pair<std::string, Tensor>> tensors() const override {
        return {{"weight", gamma_},
                {"bias", beta_},
                {"running_mean", running_mean_},
                {"running_var", running_var_}};
    }

  private:
    std::int64_t size_;
    float momentum_, eps_;
    Tensor gamma_, beta_, gamma_grad_, beta_grad_, running_mean_, running_var_;
    Buffer saved_mean_, saved_inv_std_, output_;
};

/// Layer normalisation over the features of each sample; gamma (1) and beta (0) per feature.
class LayerNorm final : public Layer {
  public:
    LayerNorm(std::int64_t size, float eps);

    std::string type() const override { return "layer_norm"; }
    std::unique_ptr<Layer> clone() const override;
    std::int64_t input_size() const override { return size_; }
    std::int64_t output_size() const override { return size_; }
    std::int64_t parameter_count() const override { return 2 * size_; }
    void bind(float* params, float* grads, float* state) override;
    void initialize(Rng& rng, float* host_params, float* host_state) const override;
    void allocate(Backend& backend, std::int64_t max_batch) override;
    Tensor forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) override;
    void backward(Backend& backend,
                  const Tensor& input,
                  Tensor grad_output,
                  Tensor grad_input,
                  bool accumulate) override;

    std::vector<std::pair<std::string, Tensor>> tensors() const override {
        return {{"weight", gamma_}, {"bias", beta_}};
    }

  private:
    std::int64_t size_;
    float eps_;
    Tensor gamma_, beta_, gamma_grad_, beta_grad_;
    Buffer saved_mean_, saved_inv_std_, output_;
};

}  // namespace dlctl
