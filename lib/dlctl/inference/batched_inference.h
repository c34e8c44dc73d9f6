#pragma once

#include <cstdint>

#include "dlctl/backend/backend.h"
#include "dlctl/loss/loss.h"
#include "dlctl/nn/sequential.h"

namespace dlctl {

/// A model run in evaluation mode (no dropout, batch-norm running statistics) a batch at a time,
/// the one place that train's evaluations and eval/predict compute predictions and losses.
class BatchedInference {
  public:
    /// Columns of a call when the caller has no reason to choose.
    static constexpr std::int64_t kDefaultBatch = 1024;

    /// Calls of up to `max_batch` samples of `model` (built on `backend`); `loss` (optional, kept
    /// by reference) for loss(). An ensemble's calls take max_batch / members samples (at least
    /// one), so that its columns, a member a sample, stay as many.
    BatchedInference(Backend& backend,
                     const Sequential& model,
                     const Loss* loss,
                     std::int64_t max_batch = kDefaultBatch);

    std::int64_t max_batch() const { return work_.max_batch(); }
    /// Divides the logits by `temperature` (> 0) before the output activation in the following
    /// predict() calls and their loss (temperature scaling; 1, the default, leaves them as they
    /// are).
    void set_temperature(float temperature);
    /// The logits (outputs × (batch · members), a sample's members side by side) for `features`
    /// as the model computes them, before any temperature: valid until the next call.
    Tensor logits(const Tensor& features);
    /// The predictions (output activation applied, outputs × batch; an ensemble's mean over its
    /// members) for `features` (device memory, input_size × batch, batch ≤ max_batch()): valid
    /// until the next call.
    Tensor predict(const Tensor& features);
    /// An ensemble's predictions of each member in the last predict() call: outputs × (batch ·
    /// members), a sample's members side by side. Empty for a plain model.
    Tensor member_predictions() const;
    /// Σ w·ℓ and Σ w of the last predict() call's samples against their `targets` (and
    /// `weights`, optional), device memory; waits for the device. An ensemble's loss is that of
    /// its averaged predictions.
    LossSum loss(const Tensor& targets, const Tensor& weights);

  private:
    Backend& backend_;
    const Sequential& model_;
    const Loss* loss_;
    Workspace work_;
    Buffer predictions_, member_predictions_, scratch_, sums_;
    Tensor logits_, predictions_view_;
    float temperature_ = 1.0f;
};

}  // namespace dlctl
