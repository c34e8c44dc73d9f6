#include "dlctl/loss/member_loss.h"

#include "dlctl/core/error.h"

namespace dlctl {

void MemberLoss::forward_backward(Backend& backend,
                                  const Tensor& logits,
                                  const Tensor& targets,
                                  const Tensor& weights,
                                  float* scratch,
                                  double divisor,
                                  Tensor grad_logits,
                                  Tensor sums) const {
    const std::int64_t columns = targets.cols * members_;
    DLCTL_CHECK(logits.cols == columns && targets.rows == 1);
    const Tensor each_target{scratch, 1, columns};
    backend.repeat_columns(targets, each_target);
    Tensor each_weight;
    if (weights.data != nullptr) {
        each_weight = {scratch + columns, 1, columns};
        backend.repeat_columns(weights, each_weight);
    }
    inner_.forward_backward(backend, logits, each_target, each_weight, scratch + 2 * columns,
                            divisor * static_cast<double>(members_), grad_logits, sums);
}

}  // namespace dlctl
