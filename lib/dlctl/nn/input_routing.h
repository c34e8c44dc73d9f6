#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/core/input_kind.h"

namespace dlctl {

/// `rows` copied into `backend`'s memory (a layer's row lists).
IndexBuffer upload_rows(Backend& backend, const std::vector<std::uint32_t>& rows);

/// The input rows of `kind` (every row when `kinds` is empty and `kind` is kNumber: a model
/// built without a preprocessor treats its inputs as numbers), and which rows are not.
std::pair<std::vector<std::uint32_t>, std::vector<bool>> inputs_of_kind(const InputKinds& kinds,
                                                                        std::int64_t width,
                                                                        InputKind::Kind kind);

/// The kinds of an embedding layer's outputs: `embedded` values first, then the inputs that
/// `keep` marks, in order (their bins' first rows renumbered).
InputKinds kinds_after_embedding(const InputKinds& kinds,
                                 std::int64_t embedded,
                                 const std::vector<bool>& keep);

/// How an input embedding layer lays out its output: the values it computes for some input rows
/// (`embedded` rows of output) first, then the other inputs unchanged, in their order. Owns the
/// row lists those copies need in the backend's memory.
class InputRouting {
  public:
    InputRouting() = default;
    /// `embedded_inputs`: the input rows the layer embeds (distinct, each below `inputs`).
    InputRouting(std::int64_t inputs, const std::vector<std::uint32_t>& embedded_inputs);

    /// The input rows passed on, ascending.
    const std::vector<std::uint32_t>& passed() const { return passed_; }
    std::int64_t passed_count() const { return static_cast<std::int64_t>(passed_.size()); }

    /// Puts the row lists into `backend`'s memory, for a layer whose embeddings fill the first
    /// `embedded` rows of its output.
    void attach(Backend& backend, std::int64_t embedded);
    /// output's first rows = embedded, and the passed inputs after them.
    void forward(Backend& backend,
                 const Tensor& input,
                 const Tensor& embedded,
                 Tensor output) const;
    /// grad_input's passed rows from grad_output (grad_input skipped when its data is null), and
    /// embedded_grad = grad_output's first rows.
    void backward(Backend& backend,
                  const Tensor& grad_output,
                  Tensor grad_input,
                  Tensor embedded_grad) const;

  private:
    std::vector<std::uint32_t> passed_;
    std::int64_t embedded_ = 0;
    IndexBuffer passed_rows_, passed_outputs_, embedded_rows_;
};

}  // namespace dlctl
