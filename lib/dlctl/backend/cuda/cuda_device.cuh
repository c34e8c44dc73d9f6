#pragma once
// Device helpers shared by the CUDA backend's kernels.

#include <cuda_runtime.h>

#include <cstdint>

#include "dlctl/backend/activation.h"

namespace dlctl::cuda {

constexpr int kThreads = 256;

/// Blocks for a grid-stride loop over n elements.
inline unsigned blocks_for(std::int64_t n) {
    const std::int64_t blocks = (n + kThreads - 1) / kThreads;
    return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > 65535 * 8 ? 65535 * 8 : blocks));
}

#define DLCTL_GRID_STRIDE(i, n)                                                             \
    for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; \
         i < (n); i += static_cast<std::int64_t>(blockDim.x) * gridDim.x)

/// Sum of `value` over the block (blockDim.x a multiple of 32, at most 1024); every thread gets
/// the result. `shared` holds 32 elements.
template <typename T>
__device__ T block_sum(T value, T* shared) {
    for (int offset = 16; offset > 0; offset /= 2)
        value += __shfl_down_sync(0xffffffffu, value, offset);
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    __syncthreads();  // `shared` may still be read by a previous call
    if (lane == 0) shared[warp] = value;
    __syncthreads();
    const int warps = (blockDim.x + 31) / 32;
    value = threadIdx.x < warps ? shared[threadIdx.x] : T(0);
    if (warp == 0) {
        for (int offset = 16; offset > 0; offset /= 2)
            value += __shfl_down_sync(0xffffffffu, value, offset);
        if (lane == 0) shared[0] = value;
    }
    __syncthreads();
    return shared[0];
}

__device__ inline float stable_sigmoid(float z) {
    if (z >= 0.0f) return 1.0f / (1.0f + expf(-z));
    const float e = expf(z);
    return e / (1.0f + e);
}

constexpr float kSeluScale = 1.0507009873554804934193349852946f;
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kInvSqrt2 = 0.70710678118654752440f;
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

/// act(z) for every elementwise activation (not softmax).
__device__ inline float activate(ActivationKind kind, float alpha, float z) {
    switch (kind) {
        case ActivationKind::kRelu:
            return z > 0.0f ? z : 0.0f;
        case ActivationKind::kLeakyRelu:
            return z > 0.0f ? z : alpha * z;
        case ActivationKind::kElu:
            return z > 0.0f ? z : alpha * expm1f(z);
        case ActivationKind::kSelu:
            return kSeluScale * (z > 0.0f ? z : kSeluAlpha * expm1f(z));
        case ActivationKind::kGelu:
            return 0.5f * z * (1.0f + erff(z * kInvSqrt2));
        case ActivationKind::kTanh:
            return tanhf(z);
        case ActivationKind::kSigmoid:
            return stable_sigmoid(z);
        case ActivationKind::kSoftplus:
            return fmaxf(z, 0.0f) + log1pf(expf(-fabsf(z)));
        case ActivationKind::kSwish:
            return z * stable_sigmoid(z);
        default:
            return z;  // linear
    }
}

/// act'(z), given z and a = act(z), for every elementwise activation (not softmax).
__device__ inline float activation_slope(ActivationKind kind, float alpha, float z, float a) {
    switch (kind) {
        case ActivationKind::kRelu:
            return z > 0.0f ? 1.0f : 0.0f;
        case ActivationKind::kLeakyRelu:
            return z > 0.0f ? 1.0f : alpha;
        case ActivationKind::kElu:
            return z > 0.0f ? 1.0f : a + alpha;
        case ActivationKind::kSelu:
            return z > 0.0f ? kSeluScale : a + kSeluScale * kSeluAlpha;
        case ActivationKind::kGelu:
            return 0.5f * (1.0f + erff(z * kInvSqrt2)) + z * kInvSqrt2Pi * expf(-0.5f * z * z);
        case ActivationKind::kTanh:
            return 1.0f - a * a;
        case ActivationKind::kSigmoid:
            return a * (1.0f - a);
        case ActivationKind::kSoftplus:
            return stable_sigmoid(z);
        case ActivationKind::kSwish: {
            const float s = stable_sigmoid(z);
            return s * (1.0f + z * (1.0f - s));
        }
        default:
            return 1.0f;  // linear
    }
}

}  // namespace dlctl::cuda
