#pragma once

#include <cstdint>

namespace dlctl {

/// One optimizer update as the backend applies it, fused over a flat parameter buffer. The
/// arithmetic follows torch.optim step for step, so the same hyperparameters give the same
/// trajectory.
struct OptimizerStep {
    enum class Kind { kSgd, kAdam, kRmsprop, kAdagrad };
    Kind kind = Kind::kSgd;
    std::int64_t step = 1;  ///< 1-based count of updates, for bias corrections
    float lr = 0.001f;
    float weight_decay = 0.0f;
    bool decoupled_weight_decay = false;  ///< AdamW: p *= 1 - lr · weight_decay
    float momentum = 0.0f;                ///< sgd, rmsprop
    float dampening = 0.0f;               ///< sgd
    bool nesterov = false;                ///< sgd
    float beta1 = 0.9f, beta2 = 0.999f;   ///< adam
    float eps = 1e-8f;                    ///< adam, rmsprop, adagrad
    float alpha = 0.99f;                  ///< rmsprop
    bool centered = false;                ///< rmsprop
    float lr_decay = 0.0f;                ///< adagrad
};

}  // namespace dlctl
