#include "dlctl/backend/cpu/cpu_activations.h"

#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>

#include "dlctl/backend/formulas.h"
#include "dlctl/core/error.h"

namespace dlctl::cpu {

namespace {

using Array = Eigen::Map<Eigen::ArrayXf>;
using ConstArray = Eigen::Map<const Eigen::ArrayXf>;

Array arr(Tensor t) { return {t.data, t.size()}; }
ConstArray carr(const Tensor& t) { return {t.data, t.size()}; }

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
    // One loop per kind, each calling its formula, so that the simple ones vectorise.
    switch (act.kind) {
        case ActivationKind::kLinear:
            if (a.data != z.data) arr(a) = carr(z);
            break;
        case ActivationKind::kRelu:
            map(z, a, formulas::relu);
            break;
        case ActivationKind::kLeakyRelu:
            map(z, a, [alpha](float x) { return formulas::leaky_relu(x, alpha); });
            break;
        case ActivationKind::kElu:
            map(z, a, [alpha](float x) { return formulas::elu(x, alpha); });
            break;
        case ActivationKind::kSelu:
            map(z, a, formulas::selu);
            break;
        case ActivationKind::kGelu:
            map(z, a, formulas::gelu);
            break;
        case ActivationKind::kTanh:
            map(z, a, [](float x) { return tanhf(x); });
            break;
        case ActivationKind::kSigmoid:
            map(z, a, formulas::sigmoid);
            break;
        case ActivationKind::kSoftplus:
            map(z, a, formulas::softplus);
            break;
        case ActivationKind::kSwish:
            map(z, a, formulas::swish);
            break;
        case ActivationKind::kMish:
            map(z, a, formulas::mish);
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
        case ActivationKind::kTanh:
            map_backward(z, a, da, dz, [](float, float y) { return formulas::tanh_slope(y); });
            break;
        case ActivationKind::kSigmoid:
            map_backward(z, a, da, dz, [](float, float y) { return formulas::sigmoid_slope(y); });
            break;
        default: {
            const ActivationKind kind = act.kind;
            map_backward(z, a, da, dz, [kind, alpha](float x, float y) {
                return formulas::activation_slope(kind, alpha, x, y);
            });
        }
    }
}

void parametric_activation_forward(Activation act,
                                   const Tensor& x,
                                   const Tensor& mix,
                                   Tensor a,
                                   Tensor out,
                                   std::int64_t first_row,
                                   std::int64_t last_row) {
    for (std::int64_t c = 0; c < x.cols; ++c) {
        const float* in = x.data + c * x.rows;
        float* activated = a.data + c * x.rows;
        float* o = out.data + c * x.rows;
        for (std::int64_t r = first_row; r < last_row; ++r) {
            const float v = in[r];
            activated[r] = formulas::activate(act.kind, act.alpha, v);
            o[r] = v + mix.data[r] * (activated[r] - v);
        }
    }
}

void parametric_activation_backward(Activation act,
                                    const Tensor& x,
                                    const Tensor& a,
                                    const Tensor& mix,
                                    const Tensor& dy,
                                    Tensor dx,
                                    Tensor mix_grad,
                                    std::int64_t first_row,
                                    std::int64_t last_row) {
    for (std::int64_t c = 0; c < x.cols; ++c) {
        const float* in = x.data + c * x.rows;
        const float* activated = a.data + c * x.rows;
        const float* g = dy.data + c * x.rows;
        float* out = dx.data == nullptr ? nullptr : dx.data + c * x.rows;
        for (std::int64_t r = first_row; r < last_row; ++r) {
            const float v = in[r], grad = g[r];
            mix_grad.data[r] += grad * (activated[r] - v);
            if (out != nullptr) {
                const float slope =
                    formulas::activation_slope(act.kind, act.alpha, v, activated[r]);
                out[r] = grad * (1.0f + mix.data[r] * (slope - 1.0f));
            }
        }
    }
}

}  // namespace dlctl::cpu
