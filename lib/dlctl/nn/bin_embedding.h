#pragma once

#include <vector>

#include "dlctl/backend/activation.h"
#include "dlctl/nn/input_routing.h"
#include "dlctl/nn/layer.h"

namespace dlctl {

/// Piecewise-linear embeddings (Gorishniy et al., NeurIPS 2022: PLE followed by a linear layer,
/// "Q-L", or with relu, "Q-LR"): each numeric column that data.normalize: piecewise_linear
/// encodes as bins becomes `units` values act(W_i · bins_i + b_i), a linear layer of its own.
/// The other inputs follow the embeddings unchanged, in their order.
///
/// Parameters: "weight" (units × Σ bins: column i's matrix in the columns from the bins of the
/// columns before it) and "bias" (units × m), each drawn as torch.nn.Linear's, U(±1/√bins_i).
class BinEmbedding final : public Layer {
  public:
    /// `bin_rows`: every bin input, ascending, each column's `bins` rows in a run; `activation`
    /// linear or relu.
    BinEmbedding(std::int64_t input_size,
                 std::vector<std::uint32_t> bin_rows,
                 std::vector<std::int64_t> bins,
                 std::int64_t units,
                 Activation activation);

    std::string type() const override { return "bin_embedding"; }
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
    std::int64_t columns() const { return static_cast<std::int64_t>(bins_.size()); }
    /// Column i's weights (units × bins_i) in `weights` (the weight tensor or its gradient).
    MatrixBatch column_weights(float* weights, std::size_t i) const;
    /// Column i's bins (bins_i × batch) in `x`.
    MatrixBatch column_bins(const Tensor& x, std::size_t i) const;
    /// Column i's embedding (units × batch) in `e` (units·m × batch).
    MatrixBatch column_embedding(const Tensor& e, std::size_t i) const;

    std::int64_t inputs_;
    std::vector<std::int64_t> bins_;          ///< per column
    std::vector<std::int64_t> first_bin_;     ///< per column: its first bin's input row
    std::vector<std::int64_t> first_weight_;  ///< per column: its first weight column
    InputRouting routing_;
    std::int64_t units_;
    Activation activation_;
    Tensor weight_, bias_;
};

}  // namespace dlctl
