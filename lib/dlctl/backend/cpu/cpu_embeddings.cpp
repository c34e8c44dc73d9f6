// CpuBackend's operations for numeric embeddings (backend.h, "numeric embeddings").
#include <algorithm>
#include <cmath>
#include <numbers>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_parallel.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace {

constexpr float kTwoPi = 2.0f * std::numbers::pi_v<float>;

void check_periodic(const Tensor& x, const Tensor& frequencies, const Tensor& v) {
    DLCTL_CHECK(v.rows == 2 * frequencies.rows * frequencies.cols && v.cols == x.cols);
}

}  // namespace

void CpuBackend::periodic_forward(const Tensor& x,
                                  const std::uint32_t* rows,
                                  const Tensor& frequencies,
                                  Tensor v) {
    check_periodic(x, frequencies, v);
    const std::int64_t k = frequencies.rows, features = frequencies.cols;
    cpu::for_each_part(x.cols, 16, cpu::threads_for(v.size(), threads_),
                       [&](std::int64_t first, std::int64_t last, int) {
                           for (std::int64_t c = first; c < last; ++c) {
                               float* out = v.data + c * v.rows;
                               for (std::int64_t i = 0; i < features; ++i) {
                                   const float value = kTwoPi * x.data[c * x.rows + rows[i]];
                                   const float* f = frequencies.data + i * k;
                                   float* cosines = out + 2 * k * i;
                                   for (std::int64_t j = 0; j < k; ++j) {
                                       cosines[j] = std::cos(f[j] * value);
                                       cosines[k + j] = std::sin(f[j] * value);
                                   }
                               }
                           }
                       });
}

void CpuBackend::periodic_backward(const Tensor& x,
                                   const std::uint32_t* rows,
                                   const Tensor& frequencies,
                                   const Tensor& v,
                                   const Tensor& dv,
                                   Tensor frequency_grad,
                                   Tensor dx) {
    check_periodic(x, frequencies, v);
    DLCTL_CHECK(dv.rows == v.rows && dv.cols == v.cols &&
                frequency_grad.size() == frequencies.size());
    const std::int64_t k = frequencies.rows, features = frequencies.cols;
    // One thread: the sums over columns then keep one order on every run.
    for (std::int64_t c = 0; c < x.cols; ++c) {
        const float* values = v.data + c * v.rows;
        const float* grads = dv.data + c * v.rows;
        for (std::int64_t i = 0; i < features; ++i) {
            const float input = kTwoPi * x.data[c * x.rows + rows[i]];
            const float* f = frequencies.data + i * k;
            float* f_grad = frequency_grad.data + i * k;
            const float* cosines = values + 2 * k * i;
            const float* d = grads + 2 * k * i;
            float input_grad = 0.0f;
            for (std::int64_t j = 0; j < k; ++j) {
                const float g = cosines[j] * d[k + j] - cosines[k + j] * d[j];
                f_grad[j] += input * g;
                input_grad += kTwoPi * f[j] * g;
            }
            if (dx.data != nullptr) dx.data[c * dx.rows + rows[i]] = input_grad;
        }
    }
}

void CpuBackend::copy_rows(const Tensor& src,
                           const std::uint32_t* src_rows,
                           Tensor dst,
                           const std::uint32_t* dst_rows,
                           std::int64_t count) {
    DLCTL_CHECK(src.cols == dst.cols);
    cpu::for_each_part(src.cols, 16, cpu::threads_for(count * src.cols, threads_),
                       [&](std::int64_t first, std::int64_t last, int) {
                           for (std::int64_t c = first; c < last; ++c) {
                               const float* in = src.data + c * src.rows;
                               float* out = dst.data + c * dst.rows;
                               for (std::int64_t i = 0; i < count; ++i) {
                                   out[dst_rows[i]] = in[src_rows[i]];
                               }
                           }
                       });
}

void CpuBackend::embedding_forward(const Tensor& x,
                                   const std::uint32_t* rows,
                                   const std::uint32_t* offsets,
                                   std::int64_t count,
                                   const Tensor& table,
                                   Tensor out) {
    DLCTL_CHECK(out.cols == x.cols && out.rows == count * table.rows);
    const std::int64_t d = table.rows;
    cpu::for_each_part(x.cols, 16, cpu::threads_for(out.size(), threads_),
                       [&](std::int64_t first, std::int64_t last, int) {
                           for (std::int64_t c = first; c < last; ++c) {
                               for (std::int64_t i = 0; i < count; ++i) {
                                   const auto v =
                                       static_cast<std::int64_t>(x.data[c * x.rows + rows[i]]);
                                   const float* column = table.data + (offsets[i] + v) * d;
                                   std::copy(column, column + d, out.data + c * out.rows + d * i);
                               }
                           }
                       });
}

void CpuBackend::embedding_backward(const Tensor& x,
                                    const std::uint32_t* rows,
                                    const std::uint32_t* offsets,
                                    std::int64_t count,
                                    const Tensor& d_out,
                                    Tensor table_grad) {
    DLCTL_CHECK(d_out.cols == x.cols && d_out.rows == count * table_grad.rows);
    const std::int64_t d = table_grad.rows;
    for (std::int64_t c = 0; c < x.cols; ++c) {  // one thread: one order of the sums
        for (std::int64_t i = 0; i < count; ++i) {
            const auto v = static_cast<std::int64_t>(x.data[c * x.rows + rows[i]]);
            float* column = table_grad.data + (offsets[i] + v) * d;
            const float* g = d_out.data + c * d_out.rows + d * i;
            for (std::int64_t u = 0; u < d; ++u) column[u] += g[u];
        }
    }
}

}  // namespace dlctl
