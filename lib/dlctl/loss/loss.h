#pragma once

#include <memory>
#include <string>

#include "dlctl/backend/backend.h"
#include "dlctl/config/spec.h"

namespace dlctl {

/// Σ w·ℓ and Σ w over some samples (w = 1 without sample weights): what losses produce and
/// callers add up, dividing once for the mean.
struct LossSum {
    double weighted_loss = 0.0;
    double weight = 0.0;

    LossSum& operator+=(const LossSum& other) {
        weighted_loss += other.weighted_loss;
        weight += other.weight;
        return *this;
    }
    /// The weighted mean loss; 0 for no weight.
    double mean() const { return weight > 0.0 ? weighted_loss / weight : 0.0; }
};

/// A training objective on a model's logits. Cross-entropies are fused with their output
/// activation (sigmoid, softmax) and computed on logits, as frameworks do for stability;
/// regression losses are chained through whatever output activation the model has.
class Loss {
  public:
    virtual ~Loss() = default;
    /// Floats of scratch memory (backend memory) that a call on `outputs` logits needs.
    virtual std::int64_t scratch_floats(std::int64_t /*outputs*/) const { return 0; }
    /// Writes the batch's {Σ w·ℓ, Σ w} into `sums` (2 floats, backend memory) and, when
    /// `grad_logits` is given, d(Σ w·ℓ)/d logits ÷ `divisor` (the Σ w of the caller's whole step,
    /// so that the gradient is that of the step's mean loss). `targets` are 0/1 labels (binary),
    /// class indices (categorical) or values (regression), 1 × batch; `weights` (1 × batch) may
    /// be empty. A loss keeps nothing between calls, so one loss serves calls side by side, each
    /// with its own scratch.
    virtual void forward_backward(Backend& backend,
                                  const Tensor& logits,
                                  const Tensor& targets,
                                  const Tensor& weights,
                                  float* scratch,
                                  double divisor,
                                  Tensor grad_logits,
                                  Tensor sums) const = 0;

    /// Floats of scratch memory that prediction_loss needs for `outputs` predictions.
    virtual std::int64_t prediction_scratch_floats(std::int64_t /*outputs*/) const { return 0; }
    /// {Σ w·ℓ, Σ w} of `predictions` (the output activation applied, outputs × batch) instead of
    /// logits: the loss of an ensemble's averaged prediction.
    virtual void prediction_loss(Backend& backend,
                                 const Tensor& predictions,
                                 const Tensor& targets,
                                 const Tensor& weights,
                                 float* scratch,
                                 Tensor sums) const = 0;
};

/// The loss a train spec names (loss, huber_delta, label_smoothing) for a model whose output
/// activation is `output_activation`. Throws UsageError for unknown names or a cross-entropy
/// without its matching output activation.
std::unique_ptr<Loss> make_loss(const TrainSpec& spec, Activation output_activation);

}  // namespace dlctl
