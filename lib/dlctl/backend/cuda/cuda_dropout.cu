#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/core/error.h"
#include "dlctl/core/random.h"

namespace dlctl {

namespace {

/// Philox-4x32-10, the same rounds as core/random.cpp's, so masks equal the CPU's bit for bit.
__device__ uint4 philox(uint4 c, std::uint32_t k0, std::uint32_t k1) {
    for (int round = 0; round < 10; ++round) {
        const std::uint32_t hi0 = __umulhi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
        const std::uint32_t hi1 = __umulhi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
        c = make_uint4(hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0);
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c;
}

/// Thread t draws block first_block + t and handles elements 8t .. 8t + 7, two 16-bit draws a
/// word, low half first (counter_half); mask is optional.
__global__ void dropout_kernel(std::uint32_t k0,
                               std::uint32_t k1,
                               std::uint64_t substream,
                               std::uint64_t first_block,
                               std::uint32_t threshold,
                               float keep_scale,
                               const float* x,
                               float* mask,
                               float* y,
                               std::int64_t n) {
    const std::int64_t blocks = (n + 7) / 8;
    DLCTL_GRID_STRIDE(t, blocks) {
        const std::uint64_t block = first_block + static_cast<std::uint64_t>(t);
        const uint4 words = philox(
            make_uint4(static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                       static_cast<std::uint32_t>(substream),
                       static_cast<std::uint32_t>(substream >> 32)),
            k0, k1);
        const std::uint32_t word[4] = {words.x, words.y, words.z, words.w};
        for (int j = 0; j < 8; ++j) {
            const std::int64_t i = 8 * t + j;
            if (i >= n) break;
            const std::uint32_t half = (word[j / 2] >> (16 * (j % 2))) & 0xFFFFu;
            const float m = half >= threshold ? keep_scale : 0.0f;
            if (mask != nullptr) mask[i] = m;
            y[i] = x[i] * m;
        }
    }
}

}  // namespace

void CudaBackend::dropout_forward(float rate,
                                  std::uint64_t seed,
                                  std::uint64_t substream,
                                  std::uint64_t offset,
                                  const Tensor& x,
                                  Tensor mask,
                                  Tensor y) {
    DLCTL_CHECK((mask.data == nullptr || x.size() == mask.size()) && x.size() == y.size());
    DLCTL_CHECK(offset % 8 == 0);  // a tensor's first element starts a Philox block
    const std::int64_t n = x.size();
    if (n == 0) return;
    const auto key = philox_key(seed, RngStream::kDropout);
    // The same float arithmetic as the CPU backend, so both keep exactly the same elements.
    const float keep_scale = dropout_keep_scale(rate);
    const std::uint32_t threshold = dropout_threshold(rate);
    dropout_kernel<<<cuda::blocks_for((n + 7) / 8), cuda::kThreads, 0, stream_>>>(
        key[0], key[1], substream, offset / 8, threshold, keep_scale, x.data, mask.data, y.data, n);
    DLCTL_CUDA_CHECK_LAUNCH();
}

}  // namespace dlctl
