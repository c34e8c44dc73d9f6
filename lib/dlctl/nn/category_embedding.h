#pragma once

#include <vector>

#include "dlctl/backend/buffer.h"
#include "dlctl/nn/input_routing.h"
#include "dlctl/nn/layer.h"

namespace dlctl {

/// Learned embeddings of categorical inputs (data.embed_categories): each such input holds a
/// category's index in its column's vocabulary and becomes that category's `units` trainable
/// values, a table a column. The other inputs follow the embeddings unchanged, in their order.
///
/// Parameter: "weight" (units × Σ vocabulary sizes: column i's table in the columns from the sum
/// of the vocabularies before it), drawn from N(0, 1) as torch.nn.Embedding's.
class CategoryEmbedding final : public Layer {
  public:
    /// `category_rows`: the index inputs, ascending, each below `input_size`; `vocabularies`:
    /// the categories of each.
    CategoryEmbedding(std::int64_t input_size,
                      std::vector<std::uint32_t> category_rows,
                      std::vector<std::int64_t> vocabularies,
                      std::int64_t units);

    std::string type() const override { return "category_embedding"; }
    std::int64_t input_size() const override { return inputs_; }
    std::int64_t output_size() const override;
    std::int64_t parameter_count() const override { return weight_size_; }
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
    std::int64_t count() const { return static_cast<std::int64_t>(categories_.size()); }

    std::int64_t inputs_;
    std::vector<std::uint32_t> categories_;  ///< embedded input rows
    std::vector<std::uint32_t> offsets_;     ///< each one's first table column
    InputRouting routing_;
    std::int64_t units_;
    std::int64_t weight_size_ = 0;
    Tensor weight_;
    IndexBuffer category_rows_, table_offsets_;
};

}  // namespace dlctl
