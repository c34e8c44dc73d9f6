#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace dlctl {

/// out[c * rows + r] = in[r * cols + c]: the row-major rows × cols matrix `in` as its row-major
/// transpose (equally: column-major to row-major), in cache-sized tiles of 8×8 blocks; `in` and
/// `out` must not overlap. The AVX2 blocks stay: plain loops cost the seed network 3-5% on 2
/// threads, its checkpoints being written beside training (docs/benchmarks.md).
void transpose(const float* in, std::int64_t rows, std::int64_t cols, float* out);
/// The same for matrices inside larger ones: out[c * out_stride + r] = in[r * in_stride + c].
void transpose(const float* in,
               std::int64_t in_stride,
               std::int64_t rows,
               std::int64_t cols,
               float* out,
               std::int64_t out_stride);

#if defined(__AVX2__)
/// Column i of the 8×8 block at `in` (its rows `stride` floats apart) into out[i][0, 8), by
/// shuffles in registers.
inline void transpose_8x8(const float* in, std::size_t stride, float* const* out) {
    __m256 r[8], t[8];
    for (std::size_t i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(in + i * stride);
    for (std::size_t i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (std::size_t i = 0; i < 8; i += 4) {
        r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
        r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (std::size_t i = 0; i < 4; ++i) {
        _mm256_storeu_ps(out[i], _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
        _mm256_storeu_ps(out[i + 4], _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
    }
}
#endif

}  // namespace dlctl
