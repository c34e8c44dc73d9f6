#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/core/random.h"

namespace dlctl {

enum class Mode { kTrain, kEval };

/// What a forward pass needs besides its input.
struct ForwardContext {
    Mode mode = Mode::kEval;
    std::uint64_t seed = 0;  ///< experiment seed (dropout masks)
    std::uint64_t step = 0;  ///< global training step (dropout masks)
    /// The pass's first column within its step's batch, when a step is trained in several passes
    /// (dropout masks: a step draws the same masks however it is split).
    std::int64_t first_column = 0;
};

/// A dropout layer's settings, for the layer before it to apply in its own pass.
struct DropoutFusion {
    float rate = 0.0f;
    std::uint64_t substream = 0;  ///< the dropout layer's index in the spec (its masks' stream)
};

/// The first counter of a dropout tensor of `size` rows in the pass `ctx`. One step's
/// activations of one layer never exceed 2^32 elements, so (step << 32) + i is a unique counter
/// for every element i of every step, whichever pass of the step draws it. Passes start on
/// multiples of 8 columns (or one pass covers the batch), so the counter is a multiple of 8 as
/// dropout_forward needs.
inline std::uint64_t dropout_counter_offset(const ForwardContext& ctx, std::int64_t size) {
    return (ctx.step << 32) + static_cast<std::uint64_t>(ctx.first_column * size);
}

/// One layer of a Sequential model. A layer's parameters live in slices of the model's flat
/// parameter and gradient buffers so that optimizers update every parameter in one pass.
class Layer {
  public:
    virtual ~Layer() = default;

    virtual std::string type() const = 0;
    /// A layer of the same configuration, not bound to parameters and without buffers (for a
    /// model's replicas, Sequential::replica).
    virtual std::unique_ptr<Layer> clone() const = 0;
    virtual std::int64_t input_size() const = 0;
    virtual std::int64_t output_size() const = 0;

    virtual std::int64_t parameter_count() const { return 0; }
    /// Floats of non-trainable state (batch-norm running statistics).
    virtual std::int64_t state_count() const { return 0; }
    /// Points the layer at its slices of the model's parameters, gradients and state.
    virtual void bind(float* /*params*/, float* /*grads*/, float* /*state*/) {}
    /// Writes initial parameter and state values (host memory, sized as the counts say).
    virtual void initialize(Rng& /*rng*/, float* /*host_params*/, float* /*host_state*/) const {}
    /// Views of the layer's parameters and state by name ("weight", "bias", "running_mean",
    /// ...), for saving and loading weights.
    virtual std::vector<std::pair<std::string, Tensor>> tensors() const { return {}; }
    /// Adds the gradient of the layer's weight penalty (L1/L2) to its gradients.
    virtual void add_penalty_gradient(Backend& /*backend*/) {}

    /// Allocates activation buffers for batches of up to `max_batch` samples.
    virtual void allocate(Backend& backend, std::int64_t max_batch) = 0;

    /// Computes the output for `input` (input_size × batch); the returned view stays valid until
    /// the next forward call.
    virtual Tensor forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) = 0;

    /// What a dropout layer (rate > 0) lets the layer before it apply in its own pass.
    virtual std::optional<DropoutFusion> fusable_dropout() const { return std::nullopt; }
    /// Whether this layer takes over `dropout`, the layer after it (Sequential then skips that
    /// layer): in training, forward then returns its output with the dropout applied, and
    /// backward takes the gradient of that.
    virtual bool fuse_dropout(const DropoutFusion& /*dropout*/) { return false; }

    /// Whether backward passes no gradient where this layer's output is zero, whatever
    /// grad_output holds there (relu, also with a fused dropout).
    virtual bool blocks_gradient_where_output_is_zero() const { return false; }
    /// Sequential's word that the layer before this one blocks the gradient where this layer's
    /// input is zero: backward may then skip grad_input's elements there, which nothing reads.
    virtual void skip_input_gradient_where_input_is_zero(bool /*skip*/) {}

    /// Whether a sample's output depends on the other samples of its batch (batch statistics):
    /// such a model trains every batch in one pass.
    virtual bool mixes_samples() const { return false; }

    /// Given d loss / d output in `grad_output` (may be overwritten), sets the parameter
    /// gradients (adds to them when `accumulate`: a later pass of a step) and, when
    /// `grad_input.data` is non-null, d loss / d input. Must follow a Mode::kTrain forward on the
    /// same input.
    virtual void backward(Backend& backend,
                          const Tensor& input,
                          Tensor grad_output,
                          Tensor grad_input,
                          bool accumulate) = 0;
};

}  // namespace dlctl
