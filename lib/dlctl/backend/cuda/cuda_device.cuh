#pragma once
// Device helpers shared by the CUDA backend's kernels.

#include <cuda_runtime.h>

#include <cstdint>

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

}  // namespace dlctl::cuda
