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
            for (std::int64_t r = r0; r < r1; ++r) {
                for (std::int64_t c = c0; c < c1; ++c)
                    out[c * out_stride + r] = in[r * in_stride + c];
            }
        }
    }
}

}  // namespace dlctl
