#pragma once
// Every scalar formula of the engine, written once for the CPU loops and the CUDA kernels alike:
// activations and their derivatives, loss terms, optimizer updates and normalisation. The CPU is
// the reference and the GPU computes the same expressions, so the two differ only where their
// math libraries or summation orders do.

#include <math.h>  // expf, log1pf, ...: the names host and device code share

#include <cstdint>

#include "dlctl/backend/activation.h"
#include "dlctl/backend/optimizer_step.h"

#if defined(__CUDACC__)
#define DLCTL_HD __host__ __device__
#else
#define DLCTL_HD
#endif

namespace dlctl {

enum class RegressionLoss { kMse, kMae, kHuber };

}  // namespace dlctl

namespace dlctl::formulas {

inline constexpr float kSeluScale = 1.0507009873554804934193349852946f;
inline constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
inline constexpr float kInvSqrt2 = 0.70710678118654752440f;
inline constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

// ---- activations: act(z), and act'(z) given z and a = act(z) --------------------------------

/// 1 / (1 + e^-z), with exp never overflowing.
DLCTL_HD inline float sigmoid(float z) {
    if (z >= 0.0f) return 1.0f / (1.0f + expf(-z));
    const float e = expf(z);
    return e / (1.0f + e);
}

/// max(z, 0) as std::max(z, 0.0f) has it: a NaN stays NaN.
DLCTL_HD inline float relu(float z) { return z < 0.0f ? 0.0f : z; }
/// z · 1 is z: the same values as a select, without its branch.
DLCTL_HD inline float leaky_relu(float z, float alpha) { return z * (z > 0.0f ? 1.0f : alpha); }
DLCTL_HD inline float elu(float z, float alpha) { return z > 0.0f ? z : alpha * expm1f(z); }
DLCTL_HD inline float selu(float z) { return kSeluScale * (z > 0.0f ? z : kSeluAlpha * expm1f(z)); }
/// The exact (erf) form, as torch.nn.GELU() and Keras' default.
DLCTL_HD inline float gelu(float z) { return 0.5f * z * (1.0f + erff(z * kInvSqrt2)); }
DLCTL_HD inline float softplus(float z) { return relu(z) + log1pf(expf(-fabsf(z))); }
DLCTL_HD inline float swish(float z) { return z * sigmoid(z); }
DLCTL_HD inline float mish(float z) { return z * tanhf(softplus(z)); }

DLCTL_HD inline float relu_slope(float z) { return z > 0.0f ? 1.0f : 0.0f; }
DLCTL_HD inline float leaky_relu_slope(float z, float alpha) { return z > 0.0f ? 1.0f : alpha; }
DLCTL_HD inline float elu_slope(float z, float a, float alpha) {
    return z > 0.0f ? 1.0f : a + alpha;
}
DLCTL_HD inline float selu_slope(float z, float a) {
    return z > 0.0f ? kSeluScale : a + kSeluScale * kSeluAlpha;
}
DLCTL_HD inline float gelu_slope(float z) {
    return 0.5f * (1.0f + erff(z * kInvSqrt2)) + z * kInvSqrt2Pi * expf(-0.5f * z * z);
}
DLCTL_HD inline float tanh_slope(float a) { return 1.0f - a * a; }
DLCTL_HD inline float sigmoid_slope(float a) { return a * (1.0f - a); }
DLCTL_HD inline float swish_slope(float z) {
    const float s = sigmoid(z);
    return s * (1.0f + z * (1.0f - s));
}
/// tanh(sp) + z · sigmoid(z) · (1 - tanh²(sp)) with sp = softplus(z), as softplus' = sigmoid.
DLCTL_HD inline float mish_slope(float z) {
    const float t = tanhf(softplus(z));
    return t + z * sigmoid(z) * (1.0f - t * t);
}

/// act(z) for every elementwise activation (softmax is per column: not here).
DLCTL_HD inline float activate(ActivationKind kind, float alpha, float z) {
    switch (kind) {
        case ActivationKind::kRelu:
            return relu(z);
        case ActivationKind::kLeakyRelu:
            return leaky_relu(z, alpha);
        case ActivationKind::kElu:
            return elu(z, alpha);
        case ActivationKind::kSelu:
            return selu(z);
        case ActivationKind::kGelu:
            return gelu(z);
        case ActivationKind::kTanh:
            return tanhf(z);
        case ActivationKind::kSigmoid:
            return sigmoid(z);
        case ActivationKind::kSoftplus:
            return softplus(z);
        case ActivationKind::kSwish:
            return swish(z);
        case ActivationKind::kMish:
            return mish(z);
        default:
            return z;  // linear
    }
}

/// act'(z) for every elementwise activation, given z and a = act(z).
DLCTL_HD inline float activation_slope(ActivationKind kind, float alpha, float z, float a) {
    switch (kind) {
        case ActivationKind::kRelu:
            return relu_slope(z);
        case ActivationKind::kLeakyRelu:
            return leaky_relu_slope(z, alpha);
        case ActivationKind::kElu:
            return elu_slope(z, a, alpha);
        case ActivationKind::kSelu:
            return selu_slope(z, a);
        case ActivationKind::kGelu:
            return gelu_slope(z);
        case ActivationKind::kTanh:
            return tanh_slope(a);
        case ActivationKind::kSigmoid:
            return sigmoid_slope(a);
        case ActivationKind::kSoftplus:
            return sigmoid(z);
        case ActivationKind::kSwish:
            return swish_slope(z);
        case ActivationKind::kMish:
            return mish_slope(z);
        default:
            return 1.0f;  // linear
    }
}

// ---- losses: a sample's term and its gradient; callers weigh and sum them ---------------------

/// The 0/1 target smoothed to y (1 - s) + s / 2.
DLCTL_HD inline float smoothed_binary_target(float target, float smoothing) {
    return target * (1.0f - smoothing) + 0.5f * smoothing;
}

/// Binary cross-entropy of sigmoid(z) against y, log(1 + e^z) - y z, written so that neither
/// branch overflows; its gradient in z is sigmoid(z) - y.
DLCTL_HD inline float sigmoid_cross_entropy(float z, float y) {
    return relu(z) - z * y + log1pf(expf(-fabsf(z)));
}

/// One sample's cross-entropy of softmax(z) (k logits) against the one-hot `label` smoothed to
/// `on` / `off`; writes w · (softmax(z) - target) · gradient_scale into g (when non-null) and
/// returns the loss in double. A label outside [0, k) gives NaN and a zero gradient.
DLCTL_HD inline double softmax_cross_entropy(const float* z,
                                             std::int64_t k,
                                             float label_value,
                                             float on,
                                             float off,
                                             float w,
                                             float gradient_scale,
                                             float* g) {
    if (!(label_value >= 0.0f && label_value < static_cast<float>(k))) {
        for (std::int64_t r = 0; g != nullptr && r < k; ++r) g[r] = 0.0f;
        return NAN;
    }
    const auto label = static_cast<std::int64_t>(label_value);
    float top = z[0];
    for (std::int64_t r = 1; r < k; ++r) top = top < z[r] ? z[r] : top;
    double sum = 0.0;
    for (std::int64_t r = 0; r < k; ++r) sum += exp(static_cast<double>(z[r] - top));
    const double log_sum = log(sum) + top;  // log Σ e^z
    double loss = 0.0;
    for (std::int64_t r = 0; r < k; ++r) {
        const float q = r == label ? on : off;
        const double log_p = z[r] - log_sum;
        loss -= q * log_p;
        if (g != nullptr) g[r] = w * (static_cast<float>(exp(log_p)) - q) * gradient_scale;
    }
    return loss;
}

/// A regression loss of the difference d = prediction - target, and its slope in d (delta as
/// torch.nn.HuberLoss's).
struct RegressionTerm {
    double value;
    float slope;
};

DLCTL_HD inline RegressionTerm regression_term(RegressionLoss kind, float delta, float d) {
    const float a = fabsf(d);
    switch (kind) {
        case RegressionLoss::kMse:
            return {static_cast<double>(d) * d, 2.0f * d};
        case RegressionLoss::kMae:
            return {a, d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : 0.0f)};
        default:  // huber
            return {a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta),
                    a < delta ? d : (d > 0.0f ? delta : -delta)};
    }
}

// ---- optimizer updates of one parameter, torch.optim's arithmetic ----------------------------

// Each update's step-dependent factors are computed once a step on the host (*_factors).

struct SgdFactors {
    float lr, weight_decay, momentum, dampening;
    bool first_step, nesterov;
};

inline SgdFactors sgd_factors(const OptimizerStep& s) {
    return {s.lr, s.weight_decay, s.momentum, s.dampening, s.step == 1, s.nesterov};
}

DLCTL_HD inline void sgd_update(const SgdFactors& f, float grad, float& p) {
    p -= f.lr * (grad + f.weight_decay * p);
}

DLCTL_HD inline void sgd_momentum_update(const SgdFactors& f, float grad, float& p, float& buf) {
    float g = grad + f.weight_decay * p;
    buf = f.first_step ? g : f.momentum * buf + (1.0f - f.dampening) * g;
    g = f.nesterov ? g + f.momentum * buf : buf;
    p -= f.lr * g;
}

struct AdamFactors {
    float step_size, inverse_sqrt_correction2, decay, coupled, beta1, beta2, eps;
};

inline AdamFactors adam_factors(const OptimizerStep& s) {
    const double correction1 = 1.0 - pow(static_cast<double>(s.beta1), s.step);
    const double correction2 = 1.0 - pow(static_cast<double>(s.beta2), s.step);
    const float wd = s.weight_decay;
    return {
        static_cast<float>(s.lr / correction1),
        // A product, not torch's quotient: one division fewer per element, for a denominator
        // that may differ in its last bit.
        static_cast<float>(1.0 / sqrt(correction2)),
        s.decoupled_weight_decay ? 1.0f - s.lr * wd : 1.0f,
        s.decoupled_weight_decay ? 0.0f : wd,
        s.beta1,
        s.beta2,
        s.eps,
    };
}

DLCTL_HD inline void adam_update(const AdamFactors& f, float grad, float& p, float& m, float& v) {
    p *= f.decay;
    const float g = grad + f.coupled * p;
    m += (1.0f - f.beta1) * (g - m);
    v = f.beta2 * v + (1.0f - f.beta2) * g * g;
    p -= f.step_size * m / (sqrtf(v) * f.inverse_sqrt_correction2 + f.eps);
}

struct RmspropFactors {
    float lr, weight_decay, alpha, eps, momentum;
};

inline RmspropFactors rmsprop_factors(const OptimizerStep& s) {
    return {s.lr, s.weight_decay, s.alpha, s.eps, s.momentum};
}

/// `buf` (momentum) and `grad_avg` (centered) are null when unused.
DLCTL_HD inline void rmsprop_update(
    const RmspropFactors& f, float grad, float& p, float& square_avg, float* buf, float* grad_avg) {
    const float g = grad + f.weight_decay * p;
    square_avg = f.alpha * square_avg + (1.0f - f.alpha) * g * g;
    float avg;
    if (grad_avg != nullptr) {
        *grad_avg += (1.0f - f.alpha) * (g - *grad_avg);
        avg = sqrtf(square_avg - *grad_avg * *grad_avg) + f.eps;
    } else {
        avg = sqrtf(square_avg) + f.eps;
    }
    if (buf != nullptr) {
        *buf = f.momentum * *buf + g / avg;
        p -= f.lr * *buf;
    } else {
        p -= f.lr * g / avg;
    }
}

/// Adagrad's decayed learning rate of the step.
inline float adagrad_learning_rate(const OptimizerStep& s) {
    return s.lr / (1.0f + static_cast<float>(s.step - 1) * s.lr_decay);
}

/// `clr`: adagrad_learning_rate.
DLCTL_HD inline void adagrad_update(
    float clr, float weight_decay, float eps, float grad, float& p, float& sum) {
    const float g = grad + weight_decay * p;
    sum += g * g;
    p -= clr * g / (sqrtf(sum) + eps);
}

// ---- normalisation ----------------------------------------------------------------------------

DLCTL_HD inline float inverse_std(double variance, float eps) {
    return static_cast<float>(1.0 / sqrt(variance + eps));
}

/// gamma · x̂ + beta, x̂ = (x - mean) · inv_std.
DLCTL_HD inline float normalize(float x, float mean, float inv_std, float gamma, float beta) {
    return gamma * (x - mean) * inv_std + beta;
}

/// PyTorch's running statistic: (1 - momentum) · running + momentum · batch.
DLCTL_HD inline float running_statistic(float running, double batch, float momentum) {
    return static_cast<float>((1.0 - momentum) * running + momentum * batch);
}

/// d loss / d x of a normalisation over n values: scale · (n · g - Σg - x̂ · Σ(g · x̂)), where g is
/// the gradient of x̂ and scale = inv_std / n (times gamma when g is dy).
DLCTL_HD inline float normalization_input_gradient(
    double scale, double n, double g, double sum_g, double xhat, double sum_g_xhat) {
    return static_cast<float>(scale * (n * g - sum_g - xhat * sum_g_xhat));
}

}  // namespace dlctl::formulas
