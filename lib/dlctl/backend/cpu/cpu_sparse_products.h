#pragma once

#include <cstdint>

namespace dlctl::cpu {

/// A dense layer's input that follows relu and dropout is mostly zeros: after relu and dropout
/// 0.5, three quarters of it. Its products with that input, the forward W·X and the weight
/// gradient dZ·Xᵀ, can skip the zeros and do a quarter of the arithmetic; so can its input
/// gradient Wᵀ·dZ, which relu then reads only where X is nonzero. The kernels here do so when X is
/// sparse enough for it to pay; they run on the calling thread.
///
/// All matrices are column-major with the given leading dimensions; x is inner × cols.

/// Whether x is sparse enough for the kernels below to beat a dense GEMM: at most a third nonzero,
/// judged from up to 8 evenly spaced columns (the break-even points: docs/benchmarks.md).
bool worth_skipping_zeros(const float* x, std::int64_t ld_x, std::int64_t rows, std::int64_t cols);

/// z (rows × cols) = alpha · w · x + beta · z, w rows × inner; only x's nonzeros are read.
void product_with_sparse_right(std::int64_t rows,
                               std::int64_t cols,
                               std::int64_t inner,
                               float alpha,
                               const float* w,
                               std::int64_t ld_w,
                               const float* x,
                               std::int64_t ld_x,
                               float beta,
                               float* z,
                               std::int64_t ld_z);

/// g (rows × inner) = alpha · dz · xᵀ + beta · g, dz rows × cols; only x's nonzeros are read.
void product_with_sparse_right_transposed(std::int64_t rows,
                                          std::int64_t cols,
                                          std::int64_t inner,
                                          float alpha,
                                          const float* dz,
                                          std::int64_t ld_dz,
                                          const float* x,
                                          std::int64_t ld_x,
                                          float beta,
                                          float* g,
                                          std::int64_t ld_g);

/// dx (inner × cols) = alpha · wᵀ · dz where x (inner × cols) is nonzero, and 0 where it is zero;
/// w rows × inner, dz rows × cols. A layer's input gradient when the layer before it passes no
/// gradient where its output x is zero (relu), so the other elements are never read.
void transposed_product_where_nonzero(std::int64_t rows,
                                      std::int64_t cols,
                                      std::int64_t inner,
                                      float alpha,
                                      const float* w,
                                      std::int64_t ld_w,
                                      const float* dz,
                                      std::int64_t ld_dz,
                                      const float* x,
                                      std::int64_t ld_x,
                                      float* dx,
                                      std::int64_t ld_dx);

}  // namespace dlctl::cpu
