#pragma once

#include <memory>
#include <string>

#include "dlctl/backend/backend.h"
#include "dlctl/config/spec.h"

namespace dlctl {

/// A training objective on a model's logits. Cross-entropies are fused with their output
/// activation (sigmoid, softmax) and computed on logits, as frameworks do for stability;
/// regression losses are chained through whatever output activation the model has.
class Loss {
  public:
    virtual ~Loss() = default;
    /// A loss of the same configuration without buffers (for a model replica's passes).
    virtual std::unique_ptr<Loss> clone() const = 0;
    /// Allocates scratch buffers for up to `max_outputs` output values (units × batch).
    virtual void allocate(Backend& backend, std::int64_t max_outputs) = 0;
    /// Writes d(weighted mean loss)/d logits into `grad_logits` and the batch's weighted mean
    /// loss into `loss_slot[0]` (a 1-element tensor in backend memory). `targets` are 0/1 labels
    /// (binary), class indices (categorical) or values (regression), 1 × batch; `weights`
    /// (1 × batch) may be empty.
    virtual void forward_backward(Backend& backend,
                                  const Tensor& logits,
                                  const Tensor& targets,
                                  const Tensor& weights,
                                  Tensor grad_logits,
                                  Tensor loss_slot) = 0;
};

/// The loss a train spec names (loss, huber_delta, label_smoothing) for a model whose output
/// activation is `output_activation`. Throws UsageError for unknown names or a cross-entropy
/// without its matching output activation.
std::unique_ptr<Loss> make_loss(const TrainSpec& spec, Activation output_activation);

}  // namespace dlctl
