#include "dlctl/inference/batched_inference.h"

#include "dlctl/core/error.h"

namespace dlctl {

BatchedInference::BatchedInference(Backend& backend,
                                   const Sequential& model,
                                   const Loss* loss,
                                   std::int64_t max_batch)
    : backend_(backend),
      model_(model),
      loss_(loss),
      work_(model.make_workspace(backend, max_batch, false)),
      predictions_(backend.allocate(model.output_size() * max_batch)),
      scratch_(backend.allocate(
          loss != nullptr ? loss->scratch_floats(model.output_size() * max_batch) : 0)),
      sums_(backend.allocate(2)) {}

Tensor BatchedInference::predict(const Tensor& features) {
    logits_ = model_.forward(backend_, work_, features, ForwardContext{Mode::kEval});
    const Tensor predictions = predictions_.view(logits_.rows, logits_.cols);
    backend_.activation(model_.output_activation(), logits_, predictions);
    return predictions;
}

LossSum BatchedInference::loss(const Tensor& targets, const Tensor& weights) {
    DLCTL_CHECK(loss_ != nullptr && logits_.data != nullptr && targets.cols == logits_.cols);
    const Tensor sums = sums_.view(2, 1);
    loss_->forward_backward(backend_, logits_, targets, weights, scratch_.data(), 1.0, Tensor{},
                            sums);
    float host[2];
    backend_.download(sums, host);
    return {host[0], host[1]};
}

}  // namespace dlctl
