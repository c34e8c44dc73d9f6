// CudaBackend's operations for numeric embeddings (backend.h, "numeric embeddings"); sums add in
// the CPU's order.
#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/core/error.h"

namespace dlctl {

using cuda::blocks_for;
using cuda::kThreads;

namespace {

constexpr float kTwoPi = 6.283185307179586f;

/// Element (c, i, j) of v's cosines and sines: column c, feature i, frequency j.
__global__ void periodic_forward_kernel(const float* x,
                                        std::int64_t x_rows,
                                        const std::uint32_t* rows,
                                        const float* frequencies,
                                        std::int64_t k,
                                        std::int64_t features,
                                        float* v,
                                        std::int64_t n) {
    DLCTL_GRID_STRIDE(e, n) {
        const std::int64_t j = e % k, i = (e / k) % features, c = e / (k * features);
        const float z = frequencies[i * k + j] * (kTwoPi * x[c * x_rows + rows[i]]);
        float* out = v + c * 2 * k * features + 2 * k * i;
        out[j] = cosf(z);
        out[k + j] = sinf(z);
    }
}

__device__ float periodic_grad(const float* v, const float* dv, std::int64_t at, std::int64_t k) {
    return v[at] * dv[at + k] - v[at + k] * dv[at];
}

/// frequency_grad[j, i] += Σ_c 2π x[rows[i], c] · g, one thread a frequency of a feature.
__global__ void periodic_frequency_grad_kernel(const float* x,
                                               std::int64_t x_rows,
                                               const std::uint32_t* rows,
                                               const float* v,
                                               const float* dv,
                                               std::int64_t k,
                                               std::int64_t features,
                                               std::int64_t cols,
                                               float* frequency_grad) {
    DLCTL_GRID_STRIDE(e, k * features) {
        const std::int64_t j = e % k, i = e / k;
        float sum = frequency_grad[e];
        for (std::int64_t c = 0; c < cols; ++c) {
            const std::int64_t at = c * 2 * k * features + 2 * k * i + j;
            sum += (kTwoPi * x[c * x_rows + rows[i]]) * periodic_grad(v, dv, at, k);
        }
        frequency_grad[e] = sum;
    }
}

/// dx[rows[i], c] = Σ_j 2π frequencies[j, i] · g, one thread a feature of a column.
__global__ void periodic_input_grad_kernel(const std::uint32_t* rows,
                                           const float* frequencies,
                                           const float* v,
                                           const float* dv,
                                           std::int64_t k,
                                           std::int64_t features,
                                           std::int64_t cols,
                                           float* dx,
                                           std::int64_t dx_rows) {
    DLCTL_GRID_STRIDE(e, features * cols) {
        const std::int64_t i = e % features, c = e / features;
        float sum = 0.0f;
        for (std::int64_t j = 0; j < k; ++j) {
            const std::int64_t at = c * 2 * k * features + 2 * k * i + j;
            sum += kTwoPi * frequencies[i * k + j] * periodic_grad(v, dv, at, k);
        }
        dx[c * dx_rows + rows[i]] = sum;
    }
}

__global__ void copy_rows_kernel(const float* src,
                                 std::int64_t src_ld,
                                 const std::uint32_t* src_rows,
                                 float* dst,
                                 std::int64_t dst_ld,
                                 const std::uint32_t* dst_rows,
                                 std::int64_t count,
                                 std::int64_t n) {
    DLCTL_GRID_STRIDE(e, n) {
        const std::int64_t i = e % count, c = e / count;
        dst[c * dst_ld + dst_rows[i]] = src[c * src_ld + src_rows[i]];
    }
}

__global__ void embedding_forward_kernel(const float* x,
                                         std::int64_t x_rows,
                                         const std::uint32_t* rows,
                                         const std::uint32_t* offsets,
                                         std::int64_t count,
                                         const float* table,
                                         std::int64_t d,
                                         float* out,
                                         std::int64_t n) {
    DLCTL_GRID_STRIDE(e, n) {
        const std::int64_t u = e % d, i = (e / d) % count, c = e / (d * count);
        const auto v = static_cast<std::int64_t>(x[c * x_rows + rows[i]]);
        out[e] = table[(offsets[i] + v) * d + u];
    }
}

/// One thread a unit of a feature's embedding, adding the columns in order (the CPU's order).
__global__ void embedding_backward_kernel(const float* x,
                                          std::int64_t x_rows,
                                          const std::uint32_t* rows,
                                          const std::uint32_t* offsets,
                                          std::int64_t count,
                                          const float* d_out,
                                          std::int64_t d,
                                          std::int64_t cols,
                                          float* table_grad) {
    DLCTL_GRID_STRIDE(e, count * d) {
        const std::int64_t u = e % d, i = e / d;
        for (std::int64_t c = 0; c < cols; ++c) {
            const auto v = static_cast<std::int64_t>(x[c * x_rows + rows[i]]);
            table_grad[(offsets[i] + v) * d + u] += d_out[c * count * d + e];
        }
    }
}

}  // namespace

void CudaBackend::periodic_forward(const Tensor& x,
                                   const std::uint32_t* rows,
                                   const Tensor& frequencies,
                                   Tensor v) {
    DLCTL_CHECK(v.rows == 2 * frequencies.rows * frequencies.cols && v.cols == x.cols);
    const std::int64_t n = frequencies.size() * x.cols;
    if (n == 0) return;
    periodic_forward_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(
        x.data, x.rows, rows, frequencies.data, frequencies.rows, frequencies.cols, v.data, n);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::periodic_backward(const Tensor& x,
                                    const std::uint32_t* rows,
                                    const Tensor& frequencies,
                                    const Tensor& v,
                                    const Tensor& dv,
                                    Tensor frequency_grad,
                                    Tensor dx) {
    DLCTL_CHECK(v.rows == 2 * frequencies.rows * frequencies.cols && v.cols == x.cols &&
                dv.rows == v.rows && dv.cols == v.cols &&
                frequency_grad.size() == frequencies.size());
    const std::int64_t k = frequencies.rows, features = frequencies.cols;
    if (frequencies.size() == 0 || x.cols == 0) return;
    periodic_frequency_grad_kernel<<<blocks_for(k * features), kThreads, 0, stream_>>>(
        x.data, x.rows, rows, v.data, dv.data, k, features, x.cols, frequency_grad.data);
    DLCTL_CUDA_CHECK_LAUNCH();
    if (dx.data == nullptr) return;
    periodic_input_grad_kernel<<<blocks_for(features * x.cols), kThreads, 0, stream_>>>(
        rows, frequencies.data, v.data, dv.data, k, features, x.cols, dx.data, dx.rows);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::embedding_forward(const Tensor& x,
                                    const std::uint32_t* rows,
                                    const std::uint32_t* offsets,
                                    std::int64_t count,
                                    const Tensor& table,
                                    Tensor out) {
    DLCTL_CHECK(out.cols == x.cols && out.rows == count * table.rows);
    if (out.size() == 0) return;
    embedding_forward_kernel<<<blocks_for(out.size()), kThreads, 0, stream_>>>(
        x.data, x.rows, rows, offsets, count, table.data, table.rows, out.data, out.size());
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::embedding_backward(const Tensor& x,
                                     const std::uint32_t* rows,
                                     const std::uint32_t* offsets,
                                     std::int64_t count,
                                     const Tensor& d_out,
                                     Tensor table_grad) {
    DLCTL_CHECK(d_out.cols == x.cols && d_out.rows == count * table_grad.rows);
    if (d_out.size() == 0) return;
    embedding_backward_kernel<<<blocks_for(count * table_grad.rows), kThreads, 0, stream_>>>(
        x.data, x.rows, rows, offsets, count, d_out.data, table_grad.rows, x.cols, table_grad.data);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::copy_rows(const Tensor& src,
                            const std::uint32_t* src_rows,
                            Tensor dst,
                            const std::uint32_t* dst_rows,
                            std::int64_t count) {
    DLCTL_CHECK(src.cols == dst.cols);
    const std::int64_t n = count * src.cols;
    if (n == 0) return;
    copy_rows_kernel<<<blocks_for(n), kThreads, 0, stream_>>>(
        src.data, src.rows, src_rows, dst.data, dst.rows, dst_rows, count, n);
    DLCTL_CUDA_CHECK_LAUNCH();
}

}  // namespace dlctl
