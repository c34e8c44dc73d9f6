#include "dlctl/backend/cpu/cpu_sparse_products.h"

#include <algorithm>
#include <cstring>

#ifdef __AVX__
#include <immintrin.h>
#endif

namespace dlctl::cpu {

namespace {

/// A vector register of floats: eight with AVX, four on builds without it.
#ifdef __AVX__
constexpr int kVecFloats = 8;
#else
constexpr int kVecFloats = 4;
#endif
using Vec = float __attribute__((vector_size(kVecFloats * sizeof(float))));

Vec load(const float* p) {
    Vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }
Vec splat(float value) { return Vec{} + value; }

/// Bit t set where x[t] is not zero (NaN counts as nonzero, so it still reaches the result),
/// for count ≤ 32.
std::uint32_t nonzero_bits(const float* x, int count) {
#ifdef __AVX__
    if (count == 32) {
        const __m256 zero = _mm256_setzero_ps();
        std::uint32_t bits = 0;
        for (int i = 0; i < 4; ++i) {
            const __m256 v = _mm256_loadu_ps(x + 8 * i);
            bits |=
                static_cast<std::uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(v, zero, _CMP_NEQ_UQ)))
                << (8 * i);
        }
        return bits;
    }
#endif
    std::uint32_t bits = 0;
    for (int t = 0; t < count; ++t) bits |= x[t] != 0.0f ? std::uint32_t{1} << t : 0u;
    return bits;
}

/// c (rows × cols) = beta · c; beta = 0 clears, whatever c held.
void scale_matrix(float* c, std::int64_t ld_c, std::int64_t rows, std::int64_t cols, float beta) {
    if (beta == 1.0f) return;
    for (std::int64_t j = 0; j < cols; ++j) {
        float* column = c + j * ld_c;
        if (beta == 0.0f) {
            std::memset(column, 0, rows * sizeof(float));
        } else {
            for (std::int64_t i = 0; i < rows; ++i) column[i] *= beta;
        }
    }
}

// Forward: for each block of 64 of W's columns and each column j of X, the block's nonzeros in
// X[:, j] are added into a register-held slice of Z[:, j]; the block's W slice (24 KB at 96 rows,
// 12 AVX vectors) stays in L1 while every column of X passes over it (sizes: docs/benchmarks.md).

/// kVectors vectors of rows of z (kVectors = 0: fewer rows than a vector, one at a time).
template <int kVectors>
void forward_rows(std::int64_t rows,
                  std::int64_t cols,
                  std::int64_t inner,
                  float alpha,
                  const float* w,
                  std::int64_t ld_w,
                  const float* x,
                  std::int64_t ld_x,
                  float* z,
                  std::int64_t ld_z) {
    for (std::int64_t first = 0; first < inner; first += 64) {
        const int width = static_cast<int>(std::min<std::int64_t>(64, inner - first));
        const float* w_block = w + first * ld_w;
        for (std::int64_t j = 0; j < cols; ++j) {
            const float* x_block = x + j * ld_x + first;
            std::uint64_t bits = nonzero_bits(x_block, std::min(width, 32));
            if (width > 32) bits |= std::uint64_t{nonzero_bits(x_block + 32, width - 32)} << 32;
            if (bits == 0) continue;
            float* z_column = z + j * ld_z;
            if constexpr (kVectors > 0) {
                Vec sums[kVectors];
                for (int r = 0; r < kVectors; ++r) sums[r] = load(z_column + kVecFloats * r);
                do {
                    const int t = __builtin_ctzll(bits);
                    bits &= bits - 1;
                    const Vec factor = splat(alpha * x_block[t]);
                    const float* w_column = w_block + t * ld_w;
                    for (int r = 0; r < kVectors; ++r) {
                        sums[r] += load(w_column + kVecFloats * r) * factor;
                    }
                } while (bits != 0);
                for (int r = 0; r < kVectors; ++r) store(z_column + kVecFloats * r, sums[r]);
            } else {
                do {
                    const int t = __builtin_ctzll(bits);
                    bits &= bits - 1;
                    const float factor = alpha * x_block[t];
                    const float* w_column = w_block + t * ld_w;
                    for (std::int64_t r = 0; r < rows; ++r) z_column[r] += w_column[r] * factor;
                } while (bits != 0);
            }
        }
    }
}

// Weight gradient: for each block of 32 columns of X (samples), a 32-bit mask per row k of X
// says which samples are nonzero there; G[:, k] is then summed in registers over those samples'
// dZ columns, whose slice (8 KB at 64 rows) stays in L1.

constexpr int kMaskedRows = 256;  ///< rows of X masked at a time (1 KB of masks on the stack)

/// masks[t] bit j = x[t, j] != 0, for t < count and j < samples ≤ 32.
void sample_masks(const float* x, std::int64_t ld_x, int count, int samples, std::uint32_t* masks) {
    std::fill(masks, masks + count, 0u);
    for (int j = 0; j < samples; ++j) {
        const float* column = x + j * ld_x;
        const std::uint32_t bit = std::uint32_t{1} << j;
        for (int t = 0; t < count; ++t) masks[t] |= column[t] != 0.0f ? bit : 0u;
    }
}

/// kVectors vectors of rows of g (kVectors = 0: fewer rows than a vector, one at a time), for the
/// `count` masked rows of x; adds to g when `add`, else overwrites it.
template <int kVectors>
void weight_gradient_rows(std::int64_t rows,
                          int count,
                          const std::uint32_t* masks,
                          float alpha,
                          const float* dz,
                          std::int64_t ld_dz,
                          const float* x,
                          std::int64_t ld_x,
                          bool add,
                          float* g,
                          std::int64_t ld_g) {
    for (int k = 0; k < count; ++k) {
        std::uint32_t bits = masks[k];
        float* g_column = g + k * ld_g;
        if constexpr (kVectors > 0) {
            Vec sums[kVectors];
            for (int r = 0; r < kVectors; ++r) {
                sums[r] = add ? load(g_column + kVecFloats * r) : Vec{};
            }
            while (bits != 0) {
                const int j = __builtin_ctz(bits);
                bits &= bits - 1;
                const Vec factor = splat(alpha * x[j * ld_x + k]);
                const float* dz_column = dz + j * ld_dz;
                for (int r = 0; r < kVectors; ++r) {
                    sums[r] += load(dz_column + kVecFloats * r) * factor;
                }
            }
            for (int r = 0; r < kVectors; ++r) store(g_column + kVecFloats * r, sums[r]);
        } else {
            if (!add) std::fill(g_column, g_column + rows, 0.0f);
            while (bits != 0) {
                const int j = __builtin_ctz(bits);
                bits &= bits - 1;
                const float factor = alpha * x[j * ld_x + k];
                const float* dz_column = dz + j * ld_dz;
                for (std::int64_t r = 0; r < rows; ++r) g_column[r] += dz_column[r] * factor;
            }
        }
    }
}

// Input gradient: for each row k of X, the dot products of W[:, k] with the dZ columns of the
// samples where X[k, :] is nonzero, up to 8 at a time so that each load of W serves 8 FMAs.

/// dx[js[q] · ld_dx] = alpha · w_column · dz[:, js[q]] for q < kSamples.
template <int kSamples>
void dot_products(std::int64_t rows,
                  const float* w_column,
                  const float* dz,
                  std::int64_t ld_dz,
                  const int* js,
                  float alpha,
                  float* dx,
                  std::int64_t ld_dx) {
    // kUnroll partial sums per dot product, so that 8 independent FMA chains hide the latency.
    constexpr int kUnroll = kSamples >= 8 ? 1 : 8 / kSamples;
    const float* dz_columns[kSamples];
    for (int q = 0; q < kSamples; ++q) dz_columns[q] = dz + js[q] * ld_dz;
    Vec sums[kUnroll][kSamples];
    for (int u = 0; u < kUnroll; ++u) {
        for (int q = 0; q < kSamples; ++q) sums[u][q] = Vec{};
    }
    std::int64_t r = 0;
    for (; r + kUnroll * kVecFloats <= rows; r += kUnroll * kVecFloats) {
        for (int u = 0; u < kUnroll; ++u) {
            const Vec w = load(w_column + r + u * kVecFloats);
            for (int q = 0; q < kSamples; ++q) {
                sums[u][q] += w * load(dz_columns[q] + r + u * kVecFloats);
            }
        }
    }
    for (; r + kVecFloats <= rows; r += kVecFloats) {
        const Vec w = load(w_column + r);
        for (int q = 0; q < kSamples; ++q) sums[0][q] += w * load(dz_columns[q] + r);
    }
    for (int q = 0; q < kSamples; ++q) {
        Vec total = sums[0][q];
        for (int u = 1; u < kUnroll; ++u) total += sums[u][q];
        float sum = 0.0f;
        for (int i = 0; i < kVecFloats; ++i) sum += total[i];
        for (std::int64_t tail = r; tail < rows; ++tail)
            sum += w_column[tail] * dz_columns[q][tail];
        dx[js[q] * ld_dx] = alpha * sum;
    }
}

/// Splits [0, count) into slices of kWidest units (12 or 8), then of 8, 4, 2 and 1, then what is
/// left (fewer than one unit), and calls kernel.template operator()<k>(first, length) on each,
/// with k the slice's width in units (0 for what is left). Row slices have units of one vector;
/// groups of samples, units of one sample.
template <int kWidest, typename Kernel>
void over_slices(std::int64_t count, std::int64_t unit, const Kernel& kernel) {
    std::int64_t first = 0;
    if constexpr (kWidest == 12) {
        for (; first + 12 * unit <= count; first += 12 * unit) {
            kernel.template operator()<12>(first, 12 * unit);
        }
    }
    for (; first + 8 * unit <= count; first += 8 * unit) {
        kernel.template operator()<8>(first, 8 * unit);
    }
    if (count - first >= 4 * unit) {
        kernel.template operator()<4>(first, 4 * unit);
        first += 4 * unit;
    }
    if (count - first >= 2 * unit) {
        kernel.template operator()<2>(first, 2 * unit);
        first += 2 * unit;
    }
    if (count - first >= unit) {
        kernel.template operator()<1>(first, unit);
        first += unit;
    }
    if (first < count) kernel.template operator()<0>(first, count - first);
}

}  // namespace

bool worth_skipping_zeros(const float* x, std::int64_t ld_x, std::int64_t rows, std::int64_t cols) {
    // A sample of the columns, because counting all of them is a visible share of a small step;
    // a wrong answer on unusual data costs speed, not correctness.
    const std::int64_t sampled = std::min<std::int64_t>(cols, 8);
    std::int64_t nonzeros = 0;
    for (std::int64_t s = 0; s < sampled; ++s) {
        const float* column = x + s * cols / sampled * ld_x;
        std::int64_t column_nonzeros = 0;
        for (std::int64_t i = 0; i < rows; ++i) column_nonzeros += column[i] != 0.0f ? 1 : 0;
        nonzeros += column_nonzeros;
    }
    return nonzeros * 3 <= rows * sampled;
}

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
                               std::int64_t ld_z) {
    scale_matrix(z, ld_z, rows, cols, beta);
    over_slices<12>(rows, kVecFloats,
                    [&]<int kVectors>(std::int64_t first_row, std::int64_t row_count) {
                        forward_rows<kVectors>(row_count, cols, inner, alpha, w + first_row, ld_w,
                                               x, ld_x, z + first_row, ld_z);
                    });
}

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
                                          std::int64_t ld_g) {
    if (beta != 0.0f || cols == 0) scale_matrix(g, ld_g, rows, inner, beta);
    std::uint32_t masks[kMaskedRows];
    for (std::int64_t first_sample = 0; first_sample < cols; first_sample += 32) {
        const int samples = static_cast<int>(std::min<std::int64_t>(32, cols - first_sample));
        const bool add = first_sample > 0 || beta != 0.0f;
        for (std::int64_t first = 0; first < inner; first += kMaskedRows) {
            const int count = static_cast<int>(std::min<std::int64_t>(kMaskedRows, inner - first));
            const float* x_block = x + first_sample * ld_x + first;
            sample_masks(x_block, ld_x, count, samples, masks);
            over_slices<8>(rows, kVecFloats,
                           [&]<int kVectors>(std::int64_t first_row, std::int64_t row_count) {
                               weight_gradient_rows<kVectors>(row_count, count, masks, alpha,
                                                              dz + first_sample * ld_dz + first_row,
                                                              ld_dz, x_block, ld_x, add,
                                                              g + first * ld_g + first_row, ld_g);
                           });
        }
    }
}

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
                                      std::int64_t ld_dx) {
    std::uint32_t masks[kMaskedRows];
    int samples_at[32];
    for (std::int64_t first_sample = 0; first_sample < cols; first_sample += 32) {
        const int samples = static_cast<int>(std::min<std::int64_t>(32, cols - first_sample));
        const float* dz_block = dz + first_sample * ld_dz;
        for (std::int64_t first = 0; first < inner; first += kMaskedRows) {
            const int count = static_cast<int>(std::min<std::int64_t>(kMaskedRows, inner - first));
            sample_masks(x + first_sample * ld_x + first, ld_x, count, samples, masks);
            float* dx_block = dx + first_sample * ld_dx + first;
            for (int j = 0; j < samples; ++j) {
                std::fill_n(dx_block + j * ld_dx, count, 0.0f);
            }
            for (int k = 0; k < count; ++k) {
                int n = 0;
                for (std::uint32_t bits = masks[k]; bits != 0; bits &= bits - 1) {
                    samples_at[n++] = __builtin_ctz(bits);
                }
                const float* w_column = w + (first + k) * ld_w;
                float* dx_row = dx_block + k;
                over_slices<8>(n, 1, [&]<int kSamples>(std::int64_t q, std::int64_t) {
                    if constexpr (kSamples > 0) {
                        dot_products<kSamples>(rows, w_column, dz_block, ld_dz, samples_at + q,
                                               alpha, dx_row, ld_dx);
                    }
                });
            }
        }
    }
}

}  // namespace dlctl::cpu
