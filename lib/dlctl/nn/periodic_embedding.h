#pragma once

#include <vector>

#include "dlctl/backend/buffer.h"
#include "dlctl/nn/input_routing.h"
#include "dlctl/nn/layer.h"

namespace dlctl {

/// Periodic numeric embeddings (PLR: Gorishniy et al., "On Embeddings for Numerical Features in
/// Tabular Deep Learning", NeurIPS 2022). Each numeric input x_i becomes `units` values
/// relu(W_i · [cos(2π c_i x_i), sin(2π c_i x_i)] + b_i): k trainable frequencies c_i (drawn from
/// N(0, σ²)) and a linear layer of its own. The other inputs (one-hot categories, missing
/// indicators, booleans) follow the embeddings unchanged, in their order.
///
/// Parameters: "frequencies" (k × m, feature i's in column i), "weight" (units × 2k·m, feature
/// i's matrix in columns 2k·i onwards: its cosines, then its sines) and "bias" (units × m), for
/// m numeric inputs.
class PeriodicEmbedding final : public Layer {
  public:
    /// `numeric_rows`: the inputs to embed, ascending, each below `input_size`.
    PeriodicEmbedding(std::int64_t input_size,
                      std::vector<std::uint32_t> numeric_rows,
                      std::int64_t frequencies,
                      std::int64_t units,
                      double sigma);

    std::string type() const override { return "periodic_embedding"; }
    std::int64_t input_size() const override { return inputs_; }
    std::int64_t output_size() const override;
    std::int64_t parameter_count() const override;
    void bind(float* params, float* state) override;
    void attach(Backend& backend) override;
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
    /// The workspace of a call on `batch` samples, carved up.
    struct Parts {
        Tensor periodic;       ///< 2k·m × batch: cosines and sines
        Tensor embedded;       ///< units·m × batch: after relu
        Tensor output;         ///< output_size × batch
        Tensor periodic_grad;  ///< backward's scratch, as periodic
        Tensor embedded_grad;  ///< backward's scratch, as embedded
    };
    Parts parts(float* work, std::int64_t batch) const;
    MatrixBatch weights(float* data) const;
    MatrixBatch per_feature(const Tensor& t, std::int64_t rows) const;

    std::int64_t inputs_;
    std::vector<std::uint32_t> numeric_;  ///< embedded input rows
    InputRouting routing_;
    std::int64_t k_;
    std::int64_t units_;
    double sigma_;
    Tensor frequencies_, weight_, bias_;
    IndexBuffer numeric_rows_;  ///< numeric_, in the backend's memory
};

}  // namespace dlctl
