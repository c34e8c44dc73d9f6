#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/backend/formulas.h"
#include "dlctl/core/error.h"

namespace dlctl {

using cuda::blocks_for;
using cuda::kThreads;

namespace {

/// z += bias (per row, optional); a = act(z) for an elementwise activation.
__global__ void bias_activation_kernel(ActivationKind kind,
                                       float alpha,
                                       const float* bias,
                                       float* z,
                                       float* a,
                                       std::int64_t rows,
                                       std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        float value = z[i];
        if (bias != nullptr) {
            value += bias[i % rows];
            z[i] = value;
        }
        a[i] = formulas::activate(kind, alpha, value);
    }
}

__global__ void parametric_activation_kernel(ActivationKind kind,
                                             float alpha,
                                             const float* x,
                                             const float* mix,
                                             float* a,
                                             float* out,
                                             std::int64_t rows,
                                             std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        const float v = x[i], activated = formulas::activate(kind, alpha, v);
        a[i] = activated;
        out[i] = v + mix[i % rows] * (activated - v);
    }
}

__global__ void parametric_activation_input_grad_kernel(ActivationKind kind,
                                                        float alpha,
                                                        const float* x,
                                                        const float* a,
                                                        const float* mix,
                                                        const float* dy,
                                                        float* dx,
                                                        std::int64_t rows,
                                                        std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        const float slope = formulas::activation_slope(kind, alpha, x[i], a[i]);
        dx[i] = dy[i] * (1.0f + mix[i % rows] * (slope - 1.0f));
    }
}

/// One thread a row, adding its columns in the CPU's order.
__global__ void parametric_activation_mix_grad_kernel(const float* x,
                                                      const float* a,
                                                      const float* dy,
                                                      float* mix_grad,
                                                      std::int64_t rows,
                                                      std::int64_t cols) {
    DLCTL_GRID_STRIDE(r, rows) {
        float sum = mix_grad[r];
        for (std::int64_t c = 0; c < cols; ++c) {
            const std::int64_t i = c * rows + r;
            sum += dy[i] * (a[i] - x[i]);
        }
        mix_grad[r] = sum;
    }
}

__global__ void activation_backward_kernel(ActivationKind kind,
                                           float alpha,
                                           const float* z,
                                           const float* a,
                                           const float* da,
                                           float* dz,
                                           std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) dz[i] = da[i] * formulas::activation_slope(kind, alpha, z[i], a[i]);
}

/// Softmax over the rows of each column; one warp per column.
__global__ void softmax_kernel(const float* z, float* a, std::int64_t rows, std::int64_t cols) {
    const std::int64_t c =
        static_cast<std::int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    if (c >= cols) return;
    const float* in = z + c * rows;
    float* out = a + c * rows;
    float top = -INFINITY;
    for (std::int64_t r = lane; r < rows; r += 32) top = fmaxf(top, in[r]);
    for (int offset = 16; offset > 0; offset /= 2)
        top = fmaxf(top, __shfl_xor_sync(0xffffffffu, top, offset));
    float sum = 0.0f;
    for (std::int64_t r = lane; r < rows; r += 32) {
        const float e = expf(in[r] - top);
        out[r] = e;
        sum += e;
    }
    for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, offset);
    const float inv = 1.0f / sum;
    for (std::int64_t r = lane; r < rows; r += 32) out[r] *= inv;
}

/// dz = y ⊙ (da - <da, y>) per column; one warp per column.
__global__ void softmax_backward_kernel(
    const float* a, const float* da, float* dz, std::int64_t rows, std::int64_t cols) {
    const std::int64_t c =
        static_cast<std::int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    if (c >= cols) return;
    const float* y = a + c * rows;
    const float* g = da + c * rows;
    float* out = dz + c * rows;
    float dot = 0.0f;
    for (std::int64_t r = lane; r < rows; r += 32) dot += g[r] * y[r];
    for (int offset = 16; offset > 0; offset /= 2) dot += __shfl_xor_sync(0xffffffffu, dot, offset);
    for (std::int64_t r = lane; r < rows; r += 32) out[r] = y[r] * (g[r] - dot);
}

__global__ void add_bias_kernel(const float* bias, float* z, std::int64_t rows, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) z[i] += bias[i % rows];
}

unsigned warp_blocks(std::int64_t cols) {
    constexpr int kWarps = kThreads / 32;
    return static_cast<unsigned>((cols + kWarps - 1) / kWarps);
}

}  // namespace

void CudaBackend::bias_activation_forward(Activation act, const Tensor& bias, Tensor z, Tensor a) {
    DLCTL_CHECK(z.rows == a.rows && z.cols == a.cols);
    DLCTL_CHECK(bias.data == nullptr || bias.size() == z.rows);
    DLCTL_CHECK(act.kind != ActivationKind::kSoftmax || a.data != z.data);
    if (z.size() == 0) return;
    if (act.kind == ActivationKind::kSoftmax) {
        if (bias.data != nullptr) {
            add_bias_kernel<<<blocks_for(z.size()), kThreads, 0, stream_>>>(bias.data, z.data,
                                                                            z.rows, z.size());
            DLCTL_CUDA_CHECK_LAUNCH();
        }
        softmax_kernel<<<warp_blocks(z.cols), kThreads, 0, stream_>>>(z.data, a.data, z.rows,
                                                                      z.cols);
    } else {
        bias_activation_kernel<<<blocks_for(z.size()), kThreads, 0, stream_>>>(
            act.kind, act.alpha, bias.data, z.data, a.data, z.rows, z.size());
    }
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::activation_backward(
    Activation act, const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz) {
    DLCTL_CHECK(da.size() == dz.size() && z.size() == da.size());
    if (dz.size() == 0) return;
    if (act.kind == ActivationKind::kSoftmax) {
        softmax_backward_kernel<<<warp_blocks(a.cols), kThreads, 0, stream_>>>(
            a.data, da.data, dz.data, a.rows, a.cols);
    } else if (act.kind == ActivationKind::kLinear) {
        copy(da, dz);
        return;
    } else {
        activation_backward_kernel<<<blocks_for(dz.size()), kThreads, 0, stream_>>>(
            act.kind, act.alpha, z.data, a.data, da.data, dz.data, dz.size());
    }
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::activation_bias_backward(Activation act,
                                           const Tensor& z,
                                           const Tensor& a,
                                           const Tensor& da,
                                           Tensor dz,
                                           Tensor bias_grad,
                                           bool accumulate) {
    // Two kernels: on the GPU the second pass reads dz from L2, and sum_columns is the reduction
    // the parity tests already pin to the CPU.
    activation_backward(act, z, a, da, dz);
    if (bias_grad.data != nullptr) sum_columns_into(dz, bias_grad, accumulate);
}

void CudaBackend::activation(Activation act, const Tensor& x, Tensor out) {
    DLCTL_CHECK(x.size() == out.size());
    if (x.size() == 0) return;
    if (act.kind == ActivationKind::kSoftmax) {
        softmax_kernel<<<warp_blocks(x.cols), kThreads, 0, stream_>>>(x.data, out.data, x.rows,
                                                                      x.cols);
    } else {
        // No bias: z is only read, so out may alias x.
        bias_activation_kernel<<<blocks_for(x.size()), kThreads, 0, stream_>>>(
            act.kind, act.alpha, nullptr, x.data, out.data, x.rows, x.size());
    }
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::parametric_activation_forward(
    Activation act, const Tensor& x, const Tensor& mix, Tensor a, Tensor out) {
    check_parametric_activation(act, x, a, mix, out);
    if (x.size() == 0) return;
    parametric_activation_kernel<<<blocks_for(x.size()), kThreads, 0, stream_>>>(
        act.kind, act.alpha, x.data, mix.data, a.data, out.data, x.rows, x.size());
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::parametric_activation_backward(Activation act,
                                                 const Tensor& x,
                                                 const Tensor& a,
                                                 const Tensor& mix,
                                                 const Tensor& dy,
                                                 Tensor dx,
                                                 Tensor mix_grad) {
    check_parametric_activation(act, x, a, mix, dy);
    DLCTL_CHECK(mix_grad.size() == x.rows);
    if (x.size() == 0) return;
    // The mix's gradient reads dy before dx, which may alias it, is written.
    parametric_activation_mix_grad_kernel<<<blocks_for(x.rows), kThreads, 0, stream_>>>(
        x.data, a.data, dy.data, mix_grad.data, x.rows, x.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
    if (dx.data == nullptr) return;
    parametric_activation_input_grad_kernel<<<blocks_for(x.size()), kThreads, 0, stream_>>>(
        act.kind, act.alpha, x.data, a.data, mix.data, dy.data, dx.data, x.rows, x.size());
    DLCTL_CUDA_CHECK_LAUNCH();
}

}  // namespace dlctl
