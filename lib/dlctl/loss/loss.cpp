#include "dlctl/loss/loss.h"

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

/// Sigmoid or softmax fused with cross-entropy on logits.
class CrossEntropy final : public Loss {
  public:
    CrossEntropy(bool softmax, float smoothing) : softmax_(softmax), smoothing_(smoothing) {}
    void forward_backward(Backend& backend,
                          const Tensor& logits,
                          const Tensor& targets,
                          const Tensor& weights,
                          float* /*scratch*/,
                          double divisor,
                          Tensor grad_logits,
                          Tensor sums) const override {
        if (softmax_) {
            backend.softmax_cross_entropy(logits, targets, weights, smoothing_, divisor,
                                          grad_logits, sums);
        } else {
            backend.sigmoid_cross_entropy(logits, targets, weights, smoothing_, divisor,
                                          grad_logits, sums);
        }
    }
    std::int64_t prediction_scratch_floats(std::int64_t outputs) const override { return outputs; }
    void prediction_loss(Backend& backend,
                         const Tensor& predictions,
                         const Tensor& targets,
                         const Tensor& weights,
                         float* scratch,
                         Tensor sums) const override {
        const Tensor logits{scratch, predictions.rows, predictions.cols};
        backend.probability_logits(softmax_ ? Activation::kSoftmax : Activation::kSigmoid,
                                   predictions, logits);
        forward_backward(backend, logits, targets, weights, nullptr, 1.0, Tensor{}, sums);
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
    /// The predictions act(logits), unless the output is linear.
    std::int64_t scratch_floats(std::int64_t outputs) const override {
        return output_ == Activation::kLinear ? 0 : outputs;
    }
    void forward_backward(Backend& backend,
                          const Tensor& logits,
                          const Tensor& targets,
                          const Tensor& weights,
                          float* scratch,
                          double divisor,
                          Tensor grad_logits,
                          Tensor sums) const override {
        if (output_ == Activation::kLinear) {
            backend.regression_loss(kind_, delta_, logits, targets, weights, divisor, grad_logits,
                                    sums);
            return;
        }
        const Tensor predictions{scratch, logits.rows, logits.cols};
        backend.activation(output_, logits, predictions);
        backend.regression_loss(kind_, delta_, predictions, targets, weights, divisor, grad_logits,
                                sums);
        if (grad_logits.data != nullptr) {
            backend.activation_backward(output_, logits, predictions, grad_logits, grad_logits);
        }
    }
    void prediction_loss(Backend& backend,
                         const Tensor& predictions,
                         const Tensor& targets,
                         const Tensor& weights,
                         float* /*scratch*/,
                         Tensor sums) const override {
        backend.regression_loss(kind_, delta_, predictions, targets, weights, 1.0, Tensor{}, sums);
    }

  private:
    RegressionLoss kind_;
    float delta_;
    Activation output_;
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
