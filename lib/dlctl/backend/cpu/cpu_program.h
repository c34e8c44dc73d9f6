#pragma once

#include <cstdint>
#include <vector>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/nn/layer.h"
#include "dlctl/nn/workspace.h"

namespace dlctl {

class Dense;
class Dropout;
class Sequential;

/// A model as the CPU trains it: the model's layers in order, with two rewrites that the layers
/// themselves know nothing of.
/// - A dense relu layer and the dropout after it run as one: one pass over the product adds the
///   bias, applies relu and the dropout's mask in place, and backward takes the gradient from the
///   output alone (an element passes its gradient, times 1 / (1 - rate), iff it is positive,
///   which means kept and positive), so no mask is stored. The masks are the dropout layer's.
/// - A dense layer whose input comes from a relu computes its input gradient only where that
///   input is nonzero (CpuBackend::input_gradient_where_nonzero): relu passes nothing elsewhere.
/// Its results equal those of the layers run one by one (Sequential), up to summation order and
/// the sign of a zero; the first pass of a step sets the gradients and later ones add to them.
class CpuProgram {
  public:
    explicit CpuProgram(const Sequential& model);

    /// Memory for training calls on up to `max_batch` samples.
    Workspace make_workspace(CpuBackend& backend, std::int64_t max_batch) const;
    /// Floats of outputs per sample: the size of a call's activations, per column.
    std::int64_t activation_floats_per_sample() const;

    Tensor forward(CpuBackend& backend,
                   Workspace& work,
                   const Tensor& input,
                   const ForwardContext& ctx) const;
    /// Where the loss writes d loss / d logits for the last forward call on `batch` samples.
    Tensor logits_grad(const Workspace& work, std::int64_t batch) const;
    /// Backpropagates logits_grad through the program into work.gradients(): `first_pass` sets
    /// them, otherwise it adds to them.
    void backward(CpuBackend& backend, Workspace& work, bool first_pass) const;

  private:
    /// One step of the program: a dense layer (with the dropout after it, if fused), or any other
    /// layer, run as it is.
    struct Op {
        const Layer* layer = nullptr;
        const Dense* dense = nullptr;      ///< set for dense layers
        const Dropout* dropout = nullptr;  ///< the dropout a dense relu layer applies
        bool sparse_input_gradient = false;
        std::int64_t parameter_offset = 0;
        std::int64_t columns_per_sample = 1;  ///< in its input (an ensemble's members)
    };

    Tensor dense_forward(CpuBackend& backend,
                         const Op& op,
                         const Tensor& input,
                         float* work,
                         const ForwardContext& ctx) const;
    void dense_backward(CpuBackend& backend,
                        const Op& op,
                        const Tensor& input,
                        float* work,
                        Tensor grad_output,
                        Tensor grad_input,
                        float* grads,
                        bool first_pass) const;

    std::vector<Op> ops_;
    std::int64_t parameter_count_ = 0;
};

}  // namespace dlctl
