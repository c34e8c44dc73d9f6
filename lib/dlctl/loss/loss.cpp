#include "dlctl/loss/loss.h"

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

/// Sigmoid or softmax fused with cross-entropy on logits.
class CrossEntropy final : public Loss {
  public:
    CrossEntropy(bool softmax, float smoothing) : softmax_(softmax), smoothing_(smoothing) {}
    std::unique_ptr<Loss> clone() const override {
        return std::make_unique<CrossEntropy>(softmax_, smoothing_);
    }
    void allocate(Backend&, std::int64_t) override {}
    void forward_backward(Backend& backend,
                          const Tensor& logits,
                          const Tensor& targets,
                          const Tensor& weights,
                          Tensor grad_logits,
                          Tensor loss_slot) override {
        if (softmax_) {
            backend.softmax_cross_entropy(logits, targets, weights, smoothing_, grad_logits,
                                          loss_slot);
        } else {
            backend.sigmoid_cross_entropy(logits, targets, weights, smoothing_, grad_logits,
                                          loss_slot);
        }
    }

  private:
    bool softmax_;
    float smoothing_;
};

/// mse, mae or huber on act(logits), chained back through the output activation.
class RegressionObjective final : public Loss {
  public:
    RegressionObjective(RegressionLoss kind, float delta, Activation output)
        : kind_(kind), delta_(delta), output_(output) {}
    std::unique_ptr<Loss> clone() const override {
        return std::make_unique<RegressionObjective>(kind_, delta_, output_);
    }
    void allocate(Backend& backend, std::int64_t max_outputs) override {
        if (output_ != Activation::kLinear) predictions_ = backend.allocate(max_outputs);
    }
    void forward_backward(Backend& backend,
                          const Tensor& logits,
                          const Tensor& targets,
                          const Tensor& weights,
                          Tensor grad_logits,
                          Tensor loss_slot) override {
        if (output_ == Activation::kLinear) {
            backend.regression_loss(kind_, delta_, logits, targets, weights, grad_logits,
                                    loss_slot);
            return;
        }
        const Tensor predictions = predictions_.view(logits.rows, logits.cols);
        backend.activation(output_, logits, predictions);
        backend.regression_loss(kind_, delta_, predictions, targets, weights, grad_logits,
                                loss_slot);
        backend.activation_backward(output_, logits, predictions, grad_logits, grad_logits);
    }

  private:
    RegressionLoss kind_;
    float delta_;
    Activation output_;
    Buffer predictions_;
};

}  // namespace

std::unique_ptr<Loss> make_loss(const TrainSpec& spec, Activation output_activation) {
    const std::string& name = spec.loss;
    const auto smoothing = static_cast<float>(spec.label_smoothing);
    auto require = [&](Activation needed) {
        if (output_activation != needed) {
            throw UsageError("loss '" + name + "' needs a " + to_string(needed) +
                             " output layer, got '" + to_string(output_activation) + "'");
        }
    };
    if (name == "binary_crossentropy") {
        require(Activation::kSigmoid);
        return std::make_unique<CrossEntropy>(false, smoothing);
    }
    if (name == "categorical_crossentropy") {
        require(Activation::kSoftmax);
        return std::make_unique<CrossEntropy>(true, smoothing);
    }
    const auto delta = static_cast<float>(spec.huber_delta);
    if (name == "mse") {
        return std::make_unique<RegressionObjective>(RegressionLoss::kMse, delta,
                                                     output_activation);
    }
    if (name == "mae") {
        return std::make_unique<RegressionObjective>(RegressionLoss::kMae, delta,
                                                     output_activation);
    }
    if (name == "huber") {
        return std::make_unique<RegressionObjective>(RegressionLoss::kHuber, delta,
                                                     output_activation);
    }
    throw UsageError("unknown loss '" + name + "'",
                     "supported: 'binary_crossentropy', 'categorical_crossentropy', 'mse', 'mae', "
                     "'huber'");
}

}  // namespace dlctl
