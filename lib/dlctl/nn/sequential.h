#pragma once

#include <memory>
#include <vector>

#include "dlctl/nn/layer.h"
#include "dlctl/nn/workspace.h"

namespace dlctl {

/// A stack of layers producing logits, plus the output activation that turns logits into
/// predictions (applied by the loss, fused where possible, and when predicting). It owns the
/// parameters and state; the memory of its calls is a Workspace, so one model can run several
/// calls at once. forward and backward here run the layers one by one, as written: the reference
/// that every device's step executor must agree with.
class Sequential {
  public:
    Sequential(std::vector<std::unique_ptr<Layer>> layers, Activation output_activation);

    /// Allocates the parameters and state and draws their initial values from `rng`. Call once
    /// before any other use.
    void build(Backend& backend, Rng& rng);
    /// As build, with the parameters and state left zero: for weights imported right after
    /// (import_weights), which then need no random draws.
    void build_for_import(Backend& backend);

    /// Memory for calls on up to `max_batch` samples; `training`: for backward too.
    Workspace make_workspace(Backend& backend, std::int64_t max_batch, bool training) const;
    /// Logits (output_size × batch · members()) for `input` (input_size × batch, batch ≤
    /// work.max_batch()).
    Tensor forward(Backend& backend,
                   Workspace& work,
                   const Tensor& input,
                   const ForwardContext& ctx) const;
    /// The predictions (output_size × samples) of a forward call's `logits`: the output
    /// activation and, for an ensemble, the mean over its members. `scratch` (backend memory,
    /// prediction_scratch_floats) then holds each member's predictions, output_size × (samples ·
    /// members), a sample's members side by side.
    void predict(Backend& backend, const Tensor& logits, float* scratch, Tensor predictions) const;
    std::int64_t prediction_scratch_floats(std::int64_t samples) const;
    /// Where the loss writes d loss / d logits for the last forward call on `batch` samples.
    Tensor logits_grad(const Workspace& work, std::int64_t batch) const;
    /// Backpropagates logits_grad through every layer after a Mode::kTrain forward in `work`,
    /// adding the parameter gradients to work.gradients() (no weight penalties).
    void backward(Backend& backend, Workspace& work) const;
    /// Adds the layers' weight penalties (L1/L2) to `gradients`, laid out like parameters().
    void add_penalty_gradients(Backend& backend, const Tensor& gradients) const;

    Tensor parameters() const { return parameters_; }
    /// The layers' tensors that lie in parameters(), in the order they tile it.
    std::vector<Tensor> parameter_tensors() const;
    /// Where layer i's parameters start in parameters() (and its gradients in a gradient buffer).
    std::int64_t parameter_offset(std::size_t layer) const { return offsets_[layer]; }
    /// Non-trainable state (batch-norm running statistics), saved and restored with the weights.
    Tensor state() const { return state_tensor_; }
    std::int64_t parameter_count() const { return offsets_.back(); }
    std::int64_t input_size() const { return layers_.front()->input_size(); }
    std::int64_t output_size() const { return layers_.back()->output_size(); }
    Activation output_activation() const { return output_activation_; }
    /// Members of the ensemble the model is (1 for a plain model): each sample's logits are
    /// `members` columns (backend.h, "ensembles").
    std::int64_t members() const { return columns_in_.back(); }
    /// Columns a sample in the input of layer i (and, for i = layers().size(), in the logits).
    std::int64_t columns_per_sample(std::size_t layer) const { return columns_in_[layer]; }
    const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
    /// Sets every dropout layer's rate to its configured rate × `factor` for the next steps
    /// (train.dropout_schedule); never during a step.
    void set_dropout_factor(float factor);
    /// Whether some layer's output for a sample depends on the rest of its batch (batch_norm).
    bool mixes_samples() const;

  private:
    std::vector<std::unique_ptr<Layer>> layers_;
    Activation output_activation_;
    std::vector<std::int64_t> offsets_;     ///< parameter_offset, then the total
    std::vector<std::int64_t> columns_in_;  ///< columns_per_sample of each layer, then the logits'
    Buffer params_, state_;
    Tensor parameters_, state_tensor_;
};

}  // namespace dlctl
