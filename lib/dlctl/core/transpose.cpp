#include "dlctl/core/transpose.h"

#include <algorithm>

namespace dlctl {

void transpose(const float* in, std::int64_t rows, std::int64_t cols, float* out) {
    transpose(in, cols, rows, cols, out, rows);
}

void transpose(const float* in,
               std::int64_t in_stride,
               std::int64_t rows,
               std::int64_t cols,
               float* out,
               std::int64_t out_stride) {
    // 64×64 tiles: the 64 rows read and 64 rows written stay in L1 across a tile.
    constexpr std::int64_t kTile = 64;
    for (std::int64_t r0 = 0; r0 < rows; r0 += kTile) {
        for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
            const std::int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
            std::int64_t r = r0;
#if defined(__AVX2__)
            for (; r + 8 <= r1; r += 8) {
                std::int64_t c = c0;
                for (; c + 8 <= c1; c += 8) {
                    float* columns[8];
                    for (std::int64_t i = 0; i < 8; ++i)
                        columns[i] = out + (c + i) * out_stride + r;
                    transpose_8x8(in + r * in_stride + c, static_cast<std::size_t>(in_stride),
                                  columns);
                }
                for (; c < c1; ++c) {
                    for (std::int64_t i = r; i < r + 8; ++i) {
                        out[c * out_stride + i] = in[i * in_stride + c];
                    }
                }
            }
#endif
            for (; r < r1; ++r) {
                for (std::int64_t c = c0; c < c1; ++c)
                    out[c * out_stride + r] = in[r * in_stride + c];
            }
        }
    }
}

}  // namespace dlctl
