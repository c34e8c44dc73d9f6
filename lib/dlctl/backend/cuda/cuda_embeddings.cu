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
