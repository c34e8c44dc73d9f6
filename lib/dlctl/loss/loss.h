#pragma once

#include <memory>
#include <string>

#include "dlctl/backend/backend.h"

namespace dlctl {

/// A training objective on a model's logits. Implementations fuse the model's output activation
/// into the loss where that is more stable (sigmoid + binary cross-entropy).
class Loss {
  public:
    virtual ~Loss() = default;
    virtual std::string name() const = 0;
    /// Allocates scratch buffers for batches of up to `max_batch` samples.
    virtual void allocate(Backend& backend, std::int64_t max_outputs) = 0;
    /// Writes d(mean loss)/d logits into `grad_logits` and the batch's mean loss into
    /// `loss_slot[0]` (a 1-element tensor in backend memory).
    virtual void forward_backward(Backend& backend,
                                  const Tensor& logits,
                                  const Tensor& targets,
                                  Tensor grad_logits,
                                  Tensor loss_slot) = 0;
};

/// The loss named in a spec ("binary_crossentropy", "mse") for a model whose output activation
/// is `output_activation`. Throws UsageError for unknown names or unsupported pairings.
std::unique_ptr<Loss> make_loss(const std::string& name, Activation output_activation);

}  // namespace dlctl
