#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/core/random.h"

namespace dlctl {

enum class Mode { kTrain, kEval };

/// What a forward call needs besides its input.
struct ForwardContext {
    Mode mode = Mode::kEval;
    std::uint64_t seed = 0;  ///< experiment seed (dropout masks)
    std::uint64_t step = 0;  ///< global training step (dropout masks)
    /// Where the input's first sample stands in its step's batch (a multiple of 8). Random draws
    /// are keyed on a sample's place in the batch, so a batch draws the same masks however its
    /// samples are grouped into calls.
    std::int64_t first_sample = 0;

    /// The counter of the first element's draw in a tensor of `rows` × samples: element i of a
    /// step's batch has counter (step << 32) + i (a step's activations of one layer never exceed
    /// 2^32 elements), which a call's first sample puts on a Philox block as dropout needs.
    std::uint64_t random_counter(std::int64_t rows) const {
        return (step << 32) + static_cast<std::uint64_t>(first_sample * rows);
    }
    /// The context of a layer that sees `columns` columns a sample (an ensemble's members): its
    /// first_sample counts columns, so that random draws stay keyed on a column's place.
    ForwardContext for_columns(std::int64_t columns) const {
        ForwardContext out = *this;
        out.first_sample *= columns;
        return out;
    }
};

/// Floats of `count` rounded up to 64 bytes: tensors laid one after another in a workspace that
/// starts aligned all start aligned.
constexpr std::int64_t aligned_floats(std::int64_t count) { return (count + 15) / 16 * 16; }

/// One layer of a model: what it computes, and its parameters. A layer keeps no memory of a call:
/// forward writes what backward needs into the workspace it is given, and backward adds its
/// parameter gradients to the gradient slice it is given, so one layer object can serve several
/// calls at once (a step executor's lanes). Parameters live in slices of the model's flat buffers.
///
/// A new layer implements type, the sizes, workspace_floats, forward and backward, and, if it has
/// parameters or state, parameter_count/state_count, bind, initialize and tensors (and attach, if
/// it reads constants).
class Layer {
  public:
    virtual ~Layer() = default;

    virtual std::string type() const = 0;
    virtual std::int64_t input_size() const = 0;
    virtual std::int64_t output_size() const = 0;

    // ---- parameters -------------------------------------------------------------------------

    virtual std::int64_t parameter_count() const { return 0; }
    /// Floats of non-trainable state (batch-norm running statistics).
    virtual std::int64_t state_count() const { return 0; }
    /// Points the layer at its slices of the model's parameters and state.
    virtual void bind(float* /*params*/, float* /*state*/) {}
    /// Puts constants the layer's computation reads (index lists) into the backend's memory;
    /// called once, when the model is built on a backend.
    virtual void attach(Backend& /*backend*/) {}
    /// Writes initial parameter and state values (host memory, sized as the counts say).
    virtual void initialize(Rng& /*rng*/, float* /*host_params*/, float* /*host_state*/) const {}
    /// Views of the layer's parameters and state by name ("weight", "bias", "running_mean",
    /// ...), for saving and loading weights.
    virtual std::vector<std::pair<std::string, Tensor>> tensors() const { return {}; }
    /// Adds the gradient of the layer's weight penalty (L1/L2) to `grads`, its slice of a
    /// gradient buffer laid out like the parameters.
    virtual void add_penalty_gradient(Backend& /*backend*/, float* /*grads*/) const {}

    // ---- computation ------------------------------------------------------------------------

    /// Columns of output per column of input: an ensemble layer gives each sample one column per
    /// member (backend.h, "ensembles"), and every layer after it sees `members` columns a
    /// sample. Its workspace_floats and forward then take the columns it sees, not samples.
    virtual std::int64_t column_factor() const { return 1; }

    /// Whether a sample's output depends on the other samples of its call (batch statistics):
    /// such a layer sees every batch whole.
    virtual bool mixes_samples() const { return false; }
    /// Floats of workspace that a call on `batch` samples needs: its output and whatever backward
    /// reads. The workspace starts 64-byte aligned.
    virtual std::int64_t workspace_floats(std::int64_t batch) const = 0;
    /// The output for `input` (input_size × batch): a view of `work` (or of `input`, for a layer
    /// that passes it through), valid until the next call with the same workspace.
    virtual Tensor forward(Backend& backend,
                           const Tensor& input,
                           float* work,
                           const ForwardContext& ctx) const = 0;
    /// Given d loss / d output in `grad_output` (which it may overwrite), adds d loss /
    /// d parameters to `grads` (the layer's slice of a gradient buffer) and, when
    /// `grad_input.data` is non-null, writes d loss / d input there. Reads the `work` of a
    /// Mode::kTrain forward call on the same input.
    virtual void backward(Backend& backend,
                          const Tensor& input,
                          float* work,
                          Tensor grad_output,
                          Tensor grad_input,
                          float* grads) const = 0;
};

}  // namespace dlctl
