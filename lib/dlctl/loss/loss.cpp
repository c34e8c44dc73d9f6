#include "dlctl/loss/loss.h"

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

/// Sigmoid output + binary cross-entropy, computed on logits.
class BinaryCrossEntropy final : public Loss {
  public:
    std::string name() const override { return "binary_crossentropy"; }
    void allocate(Backend&, std::int64_t) override {}
    void forward_backward(Backend& backend,
                          const Tensor& logits,
                          const Tensor& targets,
                          Tensor grad_logits,
                          Tensor loss_slot) override {
        backend.sigmoid_bce_with_logits(logits, targets, grad_logits, loss_slot);
    }
};

/// Mean squared error on act(logits), chained back through the output activation.
class MeanSquaredError final : public Loss {
  public:
    explicit MeanSquaredError(Activation output) : output_(output) {}
    std::string name() const override { return "mse"; }
    void allocate(Backend& backend, std::int64_t max_outputs) override {
        if (output_ != Activation::kLinear) predictions_ = backend.allocate(max_outputs);
    }
    void forward_backward(Backend& backend,
                          const Tensor& logits,
                          const Tensor& targets,
                          Tensor grad_logits,
                          Tensor loss_slot) override {
        if (output_ == Activation::kLinear) {
            backend.squared_error(logits, targets, grad_logits, loss_slot);
            return;
        }
        const Tensor predictions = predictions_.view(logits.rows, logits.cols);
        backend.activation(output_, logits, predictions);
        backend.squared_error(predictions, targets, grad_logits, loss_slot);
        backend.activation_backward(output_, logits, predictions, grad_logits, grad_logits);
    }

  private:
    Activation output_;
    Buffer predictions_;
};

}  // namespace

std::unique_ptr<Loss> make_loss(const std::string& name, Activation output_activation) {
    if (name == "binary_crossentropy") {
        if (output_activation != Activation::kSigmoid) {
            throw UsageError("loss 'binary_crossentropy' needs a sigmoid output layer, got '" +
                             std::string(to_string(output_activation)) + "'");
        }
        return std::make_unique<BinaryCrossEntropy>();
    }
    if (name == "mse") return std::make_unique<MeanSquaredError>(output_activation);
    throw UsageError("unknown loss '" + name + "'", "supported: 'binary_crossentropy', 'mse'");
}

}  // namespace dlctl
