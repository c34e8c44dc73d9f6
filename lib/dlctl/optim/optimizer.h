#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/config/spec.h"

namespace dlctl {

/// Updates a model's flat parameter buffer from its flat gradient buffer in one fused pass per
/// step: sgd (momentum, nesterov, dampening), adam, adamw, rmsprop (centered, momentum) and
/// adagrad, with torch.optim's hyperparameters and arithmetic.
class Optimizer {
  public:
    explicit Optimizer(const OptimizerSpec& spec);

    /// Allocates the optimizer's state for `parameter_count` parameters.
    void allocate(Backend& backend, std::int64_t parameter_count);
    void step(Backend& backend, Tensor params, const Tensor& grads);

    /// The learning rate of the next steps (set by the schedule).
    void set_learning_rate(double lr) { lr_ = lr; }
    double learning_rate() const { return lr_; }

    /// The allocated per-parameter state buffers under torch.optim's names (adam: exp_avg,
    /// exp_avg_sq; sgd: momentum_buffer; rmsprop: square_avg, momentum_buffer, grad_avg;
    /// adagrad: sum), for checkpoints.
    std::vector<std::pair<std::string, Tensor>> slots() const;
    /// 1-based count of the next update (bias corrections); restored on resume.
    std::int64_t next_step() const { return step_.step; }
    void set_next_step(std::int64_t step) { step_.step = step; }

  private:
    OptimizerSpec spec_;
    OptimizerStep step_;
    double lr_;
    Buffer state_[3];
};

/// The optimizer a spec names; throws UsageError for unknown types.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec);

}  // namespace dlctl
