#pragma once

#include <memory>

#include "dlctl/backend/backend.h"
#include "dlctl/config/spec.h"

namespace dlctl {

/// Updates a model's flat parameter buffer from its flat gradient buffer, one pass per step.
class Optimizer {
  public:
    virtual ~Optimizer() = default;
    /// Allocates state (e.g. momentum) for `parameter_count` parameters.
    virtual void allocate(Backend& backend, std::int64_t parameter_count) = 0;
    virtual void step(Backend& backend, Tensor params, const Tensor& grads) = 0;
    virtual double learning_rate() const = 0;
};

/// The optimizer a spec names; throws UsageError for unknown types.
std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec);

}  // namespace dlctl
