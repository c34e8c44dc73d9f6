#include "dlctl/backend/cpu/cpu_backend.h"

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>

#include "dlctl/core/error.h"
#include "dlctl/core/random.h"

namespace dlctl {

namespace {

using Matrix = Eigen::Map<Eigen::MatrixXf>;
using ConstMatrix = Eigen::Map<const Eigen::MatrixXf>;
using Array = Eigen::Map<Eigen::ArrayXf>;
using ConstArray = Eigen::Map<const Eigen::ArrayXf>;

Matrix mat(Tensor t) { return {t.data, t.rows, t.cols}; }
ConstMatrix cmat(const Tensor& t) { return {t.data, t.rows, t.cols}; }
Array arr(Tensor t) { return {t.data, t.size()}; }
ConstArray carr(const Tensor& t) { return {t.data, t.size()}; }

constexpr std::size_t kAlignment = 64;

template <typename In, typename Out>
void apply_activation(Activation act, const In& z, Out&& a) {
    switch (act) {
        case Activation::kLinear:
            a = z;
            break;
        case Activation::kRelu:
            a = z.max(0.0f);
            break;
        case Activation::kSigmoid:
            // exp(-z) overflows to inf for very negative z, giving exactly 0: no NaN.
            a = (1.0f + (-z).exp()).inverse();
            break;
        case Activation::kTanh:
            a = z.tanh();
            break;
    }
}

}  // namespace

Buffer CpuBackend::allocate(std::int64_t count) {
    DLCTL_CHECK(count >= 0);
    constexpr auto kMaxCount = static_cast<std::int64_t>((SIZE_MAX - kAlignment) / sizeof(float));
    float* data = nullptr;
    std::size_t bytes = 0;
    if (count <= kMaxCount) {
        bytes = (static_cast<std::size_t>(std::max<std::int64_t>(count, 1)) * sizeof(float) +
                 kAlignment - 1) /
                kAlignment * kAlignment;
        data =
            static_cast<float*>(::operator new (bytes, std::align_val_t{kAlignment}, std::nothrow));
    }
    if (data == nullptr) {
        throw DeviceError(fmt::format("cannot allocate {} floats ({:.1f} GiB) in CPU memory", count,
                                      static_cast<double>(count) * 4.0 / (1 << 30)),
                          "reduce train.batch_size or the layer sizes");
    }
    std::memset(data, 0, bytes);
    return Buffer(data, count,
                  [](float* p) { ::operator delete (p, std::align_val_t{kAlignment}); });
}

void CpuBackend::upload(const float* host, Tensor dst) {
    if (dst.size() > 0) std::memcpy(dst.data, host, dst.size() * sizeof(float));
}

void CpuBackend::download(const Tensor& src, float* host) {
    if (src.size() > 0) std::memcpy(host, src.data, src.size() * sizeof(float));
}

void CpuBackend::fill(Tensor t, float value) { arr(t).setConstant(value); }

void CpuBackend::gemm(bool transpose_a,
                      bool transpose_b,
                      float alpha,
                      const Tensor& a,
                      const Tensor& b,
                      float beta,
                      Tensor c) {
    const auto A = cmat(a);
    const auto B = cmat(b);
    auto C = mat(c);
    DLCTL_CHECK((transpose_a ? a.cols : a.rows) == c.rows);
    DLCTL_CHECK((transpose_b ? b.rows : b.cols) == c.cols);
    DLCTL_CHECK((transpose_a ? a.rows : a.cols) == (transpose_b ? b.cols : b.rows));
    if (beta == 0.0f) {
        C.setZero();
    } else if (beta != 1.0f) {
        C *= beta;
    }
    if (!transpose_a && !transpose_b) {
        C.noalias() += alpha * A * B;
    } else if (transpose_a && !transpose_b) {
        C.noalias() += alpha * A.transpose() * B;
    } else if (!transpose_a && transpose_b) {
        C.noalias() += alpha * A * B.transpose();
    } else {
        C.noalias() += alpha * A.transpose() * B.transpose();
    }
}

void CpuBackend::bias_activation_forward(Activation act, const Tensor& bias, Tensor z, Tensor a) {
    DLCTL_CHECK(z.rows == a.rows && z.cols == a.cols);
    if (bias.data != nullptr) {
        DLCTL_CHECK(bias.size() == z.rows);
        mat(z).colwise() += Eigen::Map<const Eigen::VectorXf>(bias.data, bias.size());
    }
    if (act == Activation::kLinear && a.data == z.data) return;
    DLCTL_CHECK(act == Activation::kLinear || a.data != z.data);
    apply_activation(act, carr(z), arr(a));
}

void CpuBackend::activation_backward(
    Activation act, const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz) {
    DLCTL_CHECK(da.size() == dz.size());
    const auto dA = carr(da);
    auto dZ = arr(dz);
    switch (act) {
        case Activation::kLinear:
            if (dz.data != da.data) dZ = dA;
            break;
        case Activation::kRelu:
            dZ = (carr(z) > 0.0f).select(dA, 0.0f);
            break;
        case Activation::kSigmoid: {
            const auto A = carr(a);
            dZ = dA * A * (1.0f - A);
            break;
        }
        case Activation::kTanh: {
            const auto A = carr(a);
            dZ = dA * (1.0f - A.square());
            break;
        }
    }
}

void CpuBackend::sum_columns(const Tensor& x, Tensor out) {
    DLCTL_CHECK(out.size() == x.rows);
    Eigen::Map<Eigen::VectorXf>(out.data, out.size()) = cmat(x).rowwise().sum();
}

void CpuBackend::dropout_forward(float rate,
                                 std::uint64_t seed,
                                 std::uint64_t substream,
                                 std::uint64_t offset,
                                 const Tensor& x,
                                 Tensor mask,
                                 Tensor y) {
    DLCTL_CHECK(x.size() == mask.size() && x.size() == y.size());
    const float keep_scale = 1.0f / (1.0f - rate);
    for (std::int64_t i = 0; i < x.size(); ++i) {
        const float u = counter_uniform(seed, RngStream::kDropout, substream, offset + i);
        mask.data[i] = u >= rate ? keep_scale : 0.0f;
        y.data[i] = x.data[i] * mask.data[i];
    }
}

void CpuBackend::multiply(const Tensor& a, const Tensor& b, Tensor out) {
    DLCTL_CHECK(a.size() == b.size() && a.size() == out.size());
    arr(out) = carr(a) * carr(b);
}

void CpuBackend::sigmoid_bce_with_logits(const Tensor& logits,
                                         const Tensor& targets,
                                         Tensor grad,
                                         Tensor loss) {
    DLCTL_CHECK(logits.size() == targets.size() && logits.size() == grad.size());
    DLCTL_CHECK(logits.size() > 0 && loss.size() >= 1);
    const float inv_n = 1.0f / static_cast<float>(logits.size());
    double total = 0.0;
    for (std::int64_t i = 0; i < logits.size(); ++i) {
        const float z = logits.data[i];
        const float y = targets.data[i];
        // log(1 + e^z) - y z, written so neither branch overflows.
        total += std::max(z, 0.0f) - z * y + std::log1p(std::exp(-std::abs(z)));
        const float p =
            z >= 0.0f ? 1.0f / (1.0f + std::exp(-z)) : std::exp(z) / (1.0f + std::exp(z));
        grad.data[i] = (p - y) * inv_n;
    }
    loss.data[0] = static_cast<float>(total / static_cast<double>(logits.size()));
}

void CpuBackend::squared_error(const Tensor& predictions,
                               const Tensor& targets,
                               Tensor grad,
                               Tensor loss) {
    DLCTL_CHECK(predictions.size() == targets.size() && predictions.size() == grad.size());
    DLCTL_CHECK(predictions.size() > 0 && loss.size() >= 1);
    const auto diff = carr(predictions) - carr(targets);
    arr(grad) = diff * (2.0f / static_cast<float>(predictions.size()));
    loss.data[0] = static_cast<float>(diff.cast<double>().square().sum() /
                                      static_cast<double>(predictions.size()));
}

void CpuBackend::activation(Activation act, const Tensor& x, Tensor out) {
    DLCTL_CHECK(x.size() == out.size());
    if (act == Activation::kLinear && x.data == out.data) return;
    apply_activation(act, carr(x), arr(out));
}

void CpuBackend::gather_columns(const Tensor& src, const std::uint32_t* indices, Tensor dst) {
    DLCTL_CHECK(src.rows == dst.rows);
    const std::size_t column_bytes = static_cast<std::size_t>(src.rows) * sizeof(float);
    for (std::int64_t c = 0; c < dst.cols; ++c) {
        DLCTL_CHECK(indices[c] < src.cols);
        std::memcpy(dst.data + c * dst.rows, src.data + indices[c] * src.rows, column_bytes);
    }
}

void CpuBackend::sgd_update(
    Tensor params, const Tensor& grads, Tensor velocity, float lr, float momentum) {
    DLCTL_CHECK(params.size() == grads.size());
    if (momentum == 0.0f) {
        arr(params) -= lr * carr(grads);
        return;
    }
    DLCTL_CHECK(velocity.size() == params.size());
    auto v = arr(velocity);
    v = momentum * v + carr(grads);
    arr(params) -= lr * v;
}

}  // namespace dlctl
