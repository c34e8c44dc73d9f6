#pragma once

#include <memory>
#include <vector>

#include "dlctl/nn/layer.h"

namespace dlctl {

/// A stack of layers producing logits, plus the output activation that turns logits into
/// predictions (applied by the loss, fused where possible, and when predicting).
class Sequential {
  public:
    Sequential(std::vector<std::unique_ptr<Layer>> layers, Activation output_activation);

    /// Allocates every parameter, gradient and activation buffer for batches of up to `max_batch`
    /// samples and draws initial weights from `rng`. Call once before any pass.
    void build(Backend& backend, std::int64_t max_batch, Rng& rng);

    /// Logits (output_size × batch) for `input` (input_size × batch, batch ≤ max_batch).
    Tensor forward(Backend& backend, const Tensor& input, const ForwardContext& ctx);

    /// Where the loss writes d loss / d logits for a batch of `batch` samples.
    Tensor logits_grad(std::int64_t batch) const;

    /// Backpropagates logits_grad(input.cols) through every layer, setting gradients() (weight
    /// penalties included): the gradients of a step trained in one pass.
    void backward(Backend& backend, const Tensor& input);

    /// Backpropagates logits_grad(input.cols) through every layer; the first pass of a step sets
    /// gradients(), later ones (`accumulate`) add to them. No weight penalties.
    void backpropagate(Backend& backend, const Tensor& input, bool accumulate);
    /// Adds the layers' weight penalties (L1/L2) to gradients(): once a step, after its passes.
    void add_penalty_gradients(Backend& backend);

    /// The most samples a pass may take (build's max_batch).
    std::int64_t max_batch() const { return max_batch_; }
    /// Floats of layer outputs per sample (a dropout applied by the layer before it has none of
    /// its own): the size of a pass's activations, per column.
    std::int64_t activation_floats_per_sample() const;
    /// Whether some layer's output for a sample depends on the rest of its batch (batch_norm).
    bool mixes_samples() const;

    /// A model of the same layers that shares this one's parameters and state but has gradients
    /// and activation buffers of its own (for max_batch() samples, in `backend`'s memory), so
    /// that passes can run side by side. Not for models that mix samples.
    std::unique_ptr<Sequential> replica(Backend& backend) const;

    Tensor parameters() const { return parameters_; }
    /// The layers' tensors that lie in parameters(), in the order they tile it.
    std::vector<Tensor> parameter_tensors() const;
    Tensor gradients() const { return grads_.view(grads_.size(), 1); }
    /// Non-trainable state (batch-norm running statistics), saved and restored with the weights.
    Tensor state() const { return state_tensor_; }
    std::int64_t parameter_count() const { return parameters_.size(); }
    std::int64_t input_size() const { return layers_.front()->input_size(); }
    std::int64_t output_size() const { return layers_.back()->output_size(); }
    Activation output_activation() const { return output_activation_; }
    const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }

  private:
    void bind_and_allocate(Backend& backend, std::int64_t max_batch, Rng* rng);
    void fuse_dropouts();
    void skip_unread_input_gradients();

    std::vector<std::unique_ptr<Layer>> layers_;
    Activation output_activation_;
    std::int64_t max_batch_ = 0;
    Buffer params_, grads_, state_;     ///< a replica's params_ and state_ are empty
    Tensor parameters_, state_tensor_;  ///< its own, or those of the model it replicates
    /// d loss / d output of each layer; a layer that took over the dropout after it reads the
    /// dropout's (its own is empty).
    std::vector<Buffer> layer_grads_;
    std::vector<Tensor> layer_inputs_;  ///< inputs seen by the last forward pass
    std::vector<bool> fused_;           ///< layers that the layer before them applies
};

}  // namespace dlctl
