#pragma once

#include <cstdint>

namespace dlctl {

/// out[c * rows + r] = in[r * cols + c]: the row-major rows × cols matrix `in` as its row-major
/// transpose (equally: column-major to row-major), in cache-sized tiles; `in` and `out` must not
/// overlap. Plain loops: it runs on weights being saved, off the training step (measured in
/// docs/benchmarks.md).
void transpose(const float* in, std::int64_t rows, std::int64_t cols, float* out);
/// The same for matrices inside larger ones: out[c * out_stride + r] = in[r * in_stride + c].
void transpose(const float* in,
               std::int64_t in_stride,
               std::int64_t rows,
               std::int64_t cols,
               float* out,
               std::int64_t out_stride);

}  // namespace dlctl
