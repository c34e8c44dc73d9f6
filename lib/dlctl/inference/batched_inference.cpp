#include "dlctl/inference/batched_inference.h"

#include <algorithm>
#include <cmath>

#include "dlctl/core/error.h"

namespace dlctl {

BatchedInference::BatchedInference(Backend& backend,
                                   const Sequential& model,
                                   const Loss* loss,
                                   std::int64_t max_batch)
    : backend_(backend),
      model_(model),
      loss_(loss),
      work_(model.make_workspace(
          backend, std::max<std::int64_t>(1, max_batch / model.members()), false)),
      predictions_(backend.allocate(model.output_size() * work_.max_batch())),
      member_predictions_(backend.allocate(model.prediction_scratch_floats(work_.max_batch()))),
      scratch_(backend.allocate(
          loss == nullptr ? 0
          : model.members() > 1
              ? loss->prediction_scratch_floats(model.output_size() * work_.max_batch())
              : loss->scratch_floats(model.output_size() * work_.max_batch()))),
      sums_(backend.allocate(2)) {}

void BatchedInference::set_temperature(float temperature) {
    DLCTL_CHECK(temperature > 0.0f && std::isfinite(temperature));
    temperature_ = temperature;
}

Tensor BatchedInference::logits(const Tensor& features) {
    logits_ = model_.forward(backend_, work_, features, ForwardContext{Mode::kEval});
    return logits_;
}

Tensor BatchedInference::predict(const Tensor& features) {
    logits(features);
    // The logits are this call's own (eval mode keeps nothing for a backward pass).
    if (temperature_ != 1.0f) backend_.scale(logits_, 1.0f / temperature_);
    predictions_view_ = predictions_.view(logits_.rows, features.cols);
    model_.predict(backend_, logits_, member_predictions_.data(), predictions_view_);
    return predictions_view_;
}

Tensor BatchedInference::member_predictions() const {
    if (model_.members() == 1) return {};
    return member_predictions_.view(logits_.rows, logits_.cols);
}

LossSum BatchedInference::loss(const Tensor& targets, const Tensor& weights) {
    DLCTL_CHECK(loss_ != nullptr && logits_.data != nullptr &&
                targets.cols == predictions_view_.cols);
    const Tensor sums = sums_.view(2, 1);
    if (model_.members() > 1) {
        loss_->prediction_loss(backend_, predictions_view_, targets, weights, scratch_.data(),
                               sums);
    } else {
        loss_->forward_backward(backend_, logits_, targets, weights, scratch_.data(), 1.0, Tensor{},
                                sums);
    }
    float host[2];
    backend_.download(sums, host);
    return {host[0], host[1]};
}

}  // namespace dlctl
