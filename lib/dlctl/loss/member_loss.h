#pragma once

#include "dlctl/loss/loss.h"

namespace dlctl {

/// The training loss of an ensemble (backend.h, "ensembles"): `inner` on each member's logits
/// against its sample's target and weight. Its sums add every member's, so their mean is the
/// mean of the members' losses, and each member's gradient is that of its own loss: the members
/// train side by side, as TabM trains them.
class MemberLoss final : public Loss {
  public:
    MemberLoss(const Loss& inner, std::int64_t members) : inner_(inner), members_(members) {}

    /// The targets and weights repeated for each member, then the inner loss's scratch.
    std::int64_t scratch_floats(std::int64_t outputs) const override {
        return 2 * outputs + inner_.scratch_floats(outputs);
    }
    /// `logits` are outputs × (samples · members), `targets` and `weights` 1 × samples. `divisor`
    /// counts each sample once (it is multiplied by the members here); the sums count each
    /// sample once a member, so their mean is the members' mean loss.
    void forward_backward(Backend& backend,
                          const Tensor& logits,
                          const Tensor& targets,
                          const Tensor& weights,
                          float* scratch,
                          double divisor,
                          Tensor grad_logits,
                          Tensor sums) const override;
    std::int64_t prediction_scratch_floats(std::int64_t outputs) const override {
        return inner_.prediction_scratch_floats(outputs);
    }
    void prediction_loss(Backend& backend,
                         const Tensor& predictions,
                         const Tensor& targets,
                         const Tensor& weights,
                         float* scratch,
                         Tensor sums) const override {
        inner_.prediction_loss(backend, predictions, targets, weights, scratch, sums);
    }

  private:
    const Loss& inner_;
    std::int64_t members_;
};

}  // namespace dlctl
