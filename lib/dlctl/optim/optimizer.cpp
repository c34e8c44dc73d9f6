#include "dlctl/optim/optimizer.h"

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

/// Stochastic gradient descent with optional (heavy-ball) momentum, as torch.optim.SGD.
class Sgd final : public Optimizer {
  public:
    explicit Sgd(const OptimizerSpec& spec)
        : lr_(spec.lr), momentum_(static_cast<float>(spec.momentum)) {}

    void allocate(Backend& backend, std::int64_t parameter_count) override {
        if (momentum_ != 0.0f) velocity_ = backend.allocate(parameter_count);
    }
    void step(Backend& backend, Tensor params, const Tensor& grads) override {
        const Tensor velocity = momentum_ != 0.0f ? velocity_.view(velocity_.size(), 1) : Tensor{};
        backend.sgd_update(params, grads, velocity, static_cast<float>(lr_), momentum_);
    }
    double learning_rate() const override { return lr_; }

  private:
    double lr_;
    float momentum_;
    Buffer velocity_;
};

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec) {
    if (spec.type == "sgd") return std::make_unique<Sgd>(spec);
    throw UsageError("unknown optimizer '" + spec.type + "'", "supported: 'sgd'");
}

}  // namespace dlctl
