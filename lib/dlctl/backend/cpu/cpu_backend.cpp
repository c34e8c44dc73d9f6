#include "dlctl/backend/cpu/cpu_backend.h"

#include <fmt/format.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <thread>

#include "dlctl/backend/cpu/cpu_activations.h"
#include "dlctl/core/error.h"
#include "dlctl/core/random.h"

extern "C" void openblas_set_num_threads(int threads);  // OpenBLAS's, declared in its cblas.h

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

}  // namespace

CpuBackend::CpuBackend(int threads) {
    const int count =
        threads > 0 ? threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    Eigen::setNbThreads(count);
    omp_set_num_threads(count);  // elementwise passes over large tensors, OpenBLAS's OpenMP build
    openblas_set_num_threads(count);  // its other builds keep their own thread pool
}

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
    auto product = [&](const auto& a_op, const auto& b_op) {
        if (beta == 0.0f) {
            C.noalias() = alpha * a_op * b_op;  // no zero fill first
        } else {
            if (beta != 1.0f) C *= beta;
            C.noalias() += alpha * a_op * b_op;
        }
    };
    if (!transpose_a && !transpose_b) {
        product(A, B);
    } else if (transpose_a && !transpose_b) {
        product(A.transpose(), B);
    } else if (!transpose_a && transpose_b) {
        product(A, B.transpose());
    } else {
        product(A.transpose(), B.transpose());
    }
}

void CpuBackend::bias_activation_forward(Activation act, const Tensor& bias, Tensor z, Tensor a) {
    DLCTL_CHECK(z.rows == a.rows && z.cols == a.cols);
    if (bias.data != nullptr) {
        DLCTL_CHECK(bias.size() == z.rows);
        mat(z).colwise() += Eigen::Map<const Eigen::VectorXf>(bias.data, bias.size());
    }
    DLCTL_CHECK(act == Activation::kLinear || a.data != z.data);
    cpu::activation_forward(act, z, a);
}

void CpuBackend::activation_backward(
    Activation act, const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz) {
    cpu::activation_backward(act, z, a, da, dz);
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
    DLCTL_CHECK(offset % 4 == 0);  // element i uses word i % 4 of block (offset + i) / 4
    const std::int64_t n = x.size();
    // Keep when the top 24 bits are >= floor(rate · 2^24).
    const float keep_scale = 1.0f / (1.0f - rate);
    const auto threshold = static_cast<std::uint32_t>(rate * 16777216.0f);
    // Random words for a chunk of whole blocks at a time (they stay in L1), then the keep
    // factors from them.
    constexpr std::int64_t kChunk = 4096;
    std::array<std::uint32_t, kChunk> words;
    for (std::int64_t first = 0; first < n; first += kChunk) {
        const std::int64_t count = std::min(kChunk, n - first);
        counter_blocks(seed, RngStream::kDropout, substream, (offset + first) / 4,
                       static_cast<std::size_t>((count + 3) / 4), words.data());
        const float* in = x.data + first;
        float* keep = mask.data + first;
        float* out = y.data + first;
        for (std::int64_t i = 0; i < count; ++i) {
            const float m = (words[i] >> 8) >= threshold ? keep_scale : 0.0f;
            keep[i] = m;
            out[i] = in[i] * m;
        }
    }
}

void CpuBackend::multiply(const Tensor& a, const Tensor& b, Tensor out) {
    DLCTL_CHECK(a.size() == b.size() && a.size() == out.size());
    arr(out) = carr(a) * carr(b);
}

void CpuBackend::activation(Activation act, const Tensor& x, Tensor out) {
    DLCTL_CHECK(x.size() == out.size());
    cpu::activation_forward(act, x, out);
}

void CpuBackend::gather_columns(const Tensor& src, const std::uint32_t* indices, Tensor dst) {
    DLCTL_CHECK(src.rows == dst.rows);
    const std::size_t column_bytes = static_cast<std::size_t>(src.rows) * sizeof(float);
    for (std::int64_t c = 0; c < dst.cols; ++c) {
        DLCTL_CHECK(indices[c] < src.cols);
        std::memcpy(dst.data + c * dst.rows, src.data + indices[c] * src.rows, column_bytes);
    }
}

void CpuBackend::stage_column_indices(const std::uint32_t* indices, std::int64_t count) {
    DLCTL_CHECK(count >= 0);
    staged_indices_.assign(indices, indices + count);
}

void CpuBackend::gather_staged_columns(const Tensor& src, std::int64_t first, Tensor dst) {
    DLCTL_CHECK(first >= 0 &&
                first + dst.cols <= static_cast<std::int64_t>(staged_indices_.size()));
    gather_columns(src, staged_indices_.data() + first, dst);
}

void CpuBackend::copy(const Tensor& src, Tensor dst) {
    DLCTL_CHECK(src.size() == dst.size());
    if (src.size() > 0 && src.data != dst.data) {
        std::memcpy(dst.data, src.data, src.size() * sizeof(float));
    }
}

void CpuBackend::add_penalty_gradient(const Tensor& w, Tensor g, float l1, float l2) {
    DLCTL_CHECK(w.size() == g.size());
    if (l1 != 0.0f) arr(g) += l1 * carr(w).sign();
    if (l2 != 0.0f) arr(g) += (2.0f * l2) * carr(w);
}

double CpuBackend::squared_norm(const Tensor& x) { return carr(x).cast<double>().square().sum(); }

void CpuBackend::scale(Tensor x, float factor) { arr(x) *= factor; }

void CpuBackend::clamp(Tensor x, float lo, float hi) { arr(x) = carr(x).max(lo).min(hi); }

}  // namespace dlctl
