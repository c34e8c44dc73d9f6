#include "dlctl/backend/cpu/cpu_activations.h"

#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>

#include "dlctl/core/error.h"

namespace dlctl::cpu {

namespace {

using Array = Eigen::Map<Eigen::ArrayXf>;
using ConstArray = Eigen::Map<const Eigen::ArrayXf>;

Array arr(Tensor t) { return {t.data, t.size()}; }
ConstArray carr(const Tensor& t) { return {t.data, t.size()}; }

constexpr float kSeluScale = 1.0507009873554804934193349852946f;
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kInvSqrt2 = 0.70710678118654752440f;
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

float sigmoid(float z) {
    // exp never overflows in either branch.
    if (z >= 0.0f) return 1.0f / (1.0f + std::exp(-z));
    const float e = std::exp(z);
    return e / (1.0f + e);
}

template <typename F>
void map(const Tensor& z, Tensor a, F f) {
    const std::int64_t n = z.size();
    const float* in = z.data;
    float* out = a.data;
    for (std::int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
}

template <typename F>
void map_backward(const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz, F derivative) {
    const std::int64_t n = z.size();
    for (std::int64_t i = 0; i < n; ++i) dz.data[i] = da.data[i] * derivative(z.data[i], a.data[i]);
}

}  // namespace

void activation_forward(Activation act, const Tensor& z, Tensor a) {
    DLCTL_CHECK(z.rows == a.rows && z.cols == a.cols);
    const float alpha = act.alpha;
    switch (act.kind) {
        case ActivationKind::kLinear:
            if (a.data != z.data) arr(a) = carr(z);
            break;
        case ActivationKind::kRelu:
            arr(a) = carr(z).max(0.0f);
            break;
        case ActivationKind::kLeakyRelu:
            // z · 1 is z: the same values as a select, without its branch.
            map(z, a, [alpha](float x) { return x * (x > 0.0f ? 1.0f : alpha); });
            break;
        case ActivationKind::kElu:
            map(z, a, [alpha](float x) { return x > 0.0f ? x : alpha * std::expm1(x); });
            break;
        case ActivationKind::kSelu:
            map(z, a,
                [](float x) { return kSeluScale * (x > 0.0f ? x : kSeluAlpha * std::expm1(x)); });
            break;
        case ActivationKind::kGelu:
            map(z, a, [](float x) { return 0.5f * x * (1.0f + std::erf(x * kInvSqrt2)); });
            break;
        case ActivationKind::kTanh:
            arr(a) = carr(z).tanh();
            break;
        case ActivationKind::kSigmoid:
            map(z, a, sigmoid);
            break;
        case ActivationKind::kSoftplus:
            map(z, a,
                [](float x) { return std::max(x, 0.0f) + std::log1p(std::exp(-std::abs(x))); });
            break;
        case ActivationKind::kSwish:
            map(z, a, [](float x) { return x * sigmoid(x); });
            break;
        case ActivationKind::kSoftmax:
            for (std::int64_t c = 0; c < z.cols; ++c) {
                const float* in = z.data + c * z.rows;
                float* out = a.data + c * z.rows;
                const float top = *std::max_element(in, in + z.rows);
                float sum = 0.0f;
                for (std::int64_t r = 0; r < z.rows; ++r) sum += out[r] = std::exp(in[r] - top);
                const float inv = 1.0f / sum;
                for (std::int64_t r = 0; r < z.rows; ++r) out[r] *= inv;
            }
            break;
    }
}

void pass_where_positive(const float* y, const float* v, float scale, float* out, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint32_t keep = y[i] > 0.0f ? ~0u : 0u;
        out[i] = std::bit_cast<float>(std::bit_cast<std::uint32_t>(v[i] * scale) & keep);
    }
}

void activation_backward(
    Activation act, const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz) {
    DLCTL_CHECK(da.size() == dz.size() && z.size() == da.size());
    const float alpha = act.alpha;
    switch (act.kind) {
        case ActivationKind::kLinear:
            if (dz.data != da.data) arr(dz) = carr(da);
            break;
        case ActivationKind::kRelu:
            pass_where_positive(z.data, da.data, 1.0f, dz.data, dz.size());
            break;
        case ActivationKind::kLeakyRelu:
            map_backward(z, a, da, dz, [alpha](float x, float) { return x > 0.0f ? 1.0f : alpha; });
            break;
        case ActivationKind::kElu:
            map_backward(z, a, da, dz,
                         [alpha](float x, float y) { return x > 0.0f ? 1.0f : y + alpha; });
            break;
        case ActivationKind::kSelu:
            map_backward(z, a, da, dz, [](float x, float y) {
                return x > 0.0f ? kSeluScale : y + kSeluScale * kSeluAlpha;
            });
            break;
        case ActivationKind::kGelu:
            map_backward(z, a, da, dz, [](float x, float) {
                return 0.5f * (1.0f + std::erf(x * kInvSqrt2)) +
                       x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
            });
            break;
        case ActivationKind::kTanh:
            arr(dz) = carr(da) * (1.0f - carr(a).square());
            break;
        case ActivationKind::kSigmoid:
            arr(dz) = carr(da) * carr(a) * (1.0f - carr(a));
            break;
        case ActivationKind::kSoftplus:
            map_backward(z, a, da, dz, [](float x, float) { return sigmoid(x); });
            break;
        case ActivationKind::kSwish:
            map_backward(z, a, da, dz, [](float x, float) {
                const float s = sigmoid(x);
                return s * (1.0f + x * (1.0f - s));
            });
            break;
        case ActivationKind::kSoftmax:
            for (std::int64_t c = 0; c < z.cols; ++c) {
                const float* y = a.data + c * a.rows;
                const float* g = da.data + c * da.rows;
                float* out = dz.data + c * dz.rows;
                float dot = 0.0f;
                for (std::int64_t r = 0; r < a.rows; ++r) dot += g[r] * y[r];
                for (std::int64_t r = 0; r < a.rows; ++r) out[r] = y[r] * (g[r] - dot);
            }
            break;
    }
}

}  // namespace dlctl::cpu
