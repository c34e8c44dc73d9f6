#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/config/spec.h"

namespace dlctl {

/// A run of parameters that learns at its own pace (PyTorch's parameter groups): its learning rate
/// is the optimizer's × lr_factor, its weight decay the optimizer's × decay_factor.
struct ParameterGroup {
    std::int64_t offset = 0;
    std::int64_t count = 0;
    double lr_factor = 1.0;
    double decay_factor = 1.0;
};

/// Updates a model's flat parameter buffer from its flat gradient buffer in one fused pass per
/// step: sgd (momentum, nesterov, dampening), adam, adamw, rmsprop (centered, momentum) and
/// adagrad, with torch.optim's hyperparameters and arithmetic.
class Optimizer {
  public:
    explicit Optimizer(const OptimizerSpec& spec);

    /// Allocates the optimizer's state for `parameter_count` parameters (and, when no groups were
    /// set, makes them one group).
    void allocate(Backend& backend, std::int64_t parameter_count);
    /// Groups that tile the parameters in order; without them, one group of every parameter.
    void set_groups(std::vector<ParameterGroup> groups);
    const std::vector<ParameterGroup>& groups() const { return groups_; }
    void step(Backend& backend, Tensor params, const Tensor& grads);

    /// The learning rate of the next steps (set by the schedule).
    void set_learning_rate(double lr) { lr_ = lr; }
    double learning_rate() const { return lr_; }
    /// A factor on the weight decay of the next steps (train.weight_decay_schedule).
    void set_weight_decay_factor(double factor) { weight_decay_factor_ = factor; }

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
    double weight_decay_factor_ = 1.0;
    std::vector<ParameterGroup> groups_;
    Buffer state_[3];
};

/// The optimizer a spec names; throws UsageError for unknown types.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec);

}  // namespace dlctl
