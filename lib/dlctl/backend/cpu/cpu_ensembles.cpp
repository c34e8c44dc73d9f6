// CpuBackend's operations for ensembles (backend.h, "ensembles").
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_parallel.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace {

/// Calls body(first, last) over column ranges of a rows × cols pass, on the backend's threads
/// when the pass is large.
template <typename Body>
void for_column_parts(std::int64_t rows, std::int64_t cols, int threads, const Body& body) {
    cpu::for_each_part(cols, 16, cpu::threads_for(rows * cols, threads),
                       [&](std::int64_t first, std::int64_t last, int) { body(first, last); });
}

}  // namespace

void CpuBackend::repeat_columns(const Tensor& x, Tensor out) {
    DLCTL_CHECK(x.rows == out.rows && x.cols > 0 && out.cols % x.cols == 0);
    const std::int64_t k = out.cols / x.cols, rows = x.rows;
    for_column_parts(rows, out.cols, threads_, [&](std::int64_t first, std::int64_t last) {
        for (std::int64_t j = first; j < last; ++j) {
            std::memcpy(out.data + j * rows, x.data + j / k * rows,
                        static_cast<std::size_t>(rows) * sizeof(float));
        }
    });
}

void CpuBackend::sum_column_groups(const Tensor& x, float scale, Tensor out) {
    DLCTL_CHECK(x.rows == out.rows && out.cols > 0 && x.cols % out.cols == 0);
    const std::int64_t k = x.cols / out.cols, rows = x.rows;
    for_column_parts(k * rows, out.cols, threads_, [&](std::int64_t first, std::int64_t last) {
        for (std::int64_t j = first; j < last; ++j) {
            float* o = out.data + j * rows;
            const float* group = x.data + j * k * rows;
            std::copy(group, group + rows, o);
            for (std::int64_t g = 1; g < k; ++g) {
                const float* column = group + g * rows;
                for (std::int64_t r = 0; r < rows; ++r) o[r] += column[r];
            }
            for (std::int64_t r = 0; r < rows; ++r) o[r] *= scale;
        }
    });
}

void CpuBackend::scale_rows(const Tensor& x, const Tensor& factors, Tensor out) {
    DLCTL_CHECK(x.rows == out.rows && x.cols == out.cols && factors.size() == x.rows);
    const std::int64_t rows = x.rows;
    for_column_parts(rows, x.cols, threads_, [&](std::int64_t first, std::int64_t last) {
        for (std::int64_t c = first; c < last; ++c) {
            const float* in = x.data + c * rows;
            float* o = out.data + c * rows;
            for (std::int64_t r = 0; r < rows; ++r) o[r] = in[r] * factors.data[r];
        }
    });
}

void CpuBackend::add_row_products(const Tensor& a, const Tensor& b, Tensor out) {
    DLCTL_CHECK(a.rows == b.rows && a.cols == b.cols && out.size() == a.rows);
    const std::int64_t rows = a.rows;
    // One thread: the sums over columns then keep one order on every run.
    for (std::int64_t c = 0; c < a.cols; ++c) {
        const float* x = a.data + c * rows;
        const float* y = b.data + c * rows;
        for (std::int64_t r = 0; r < rows; ++r) out.data[r] += x[r] * y[r];
    }
}

void CpuBackend::probability_logits(Activation act, const Tensor& p, Tensor logits) {
    DLCTL_CHECK(p.size() == logits.size());
    DLCTL_CHECK(act.kind == ActivationKind::kSigmoid || act.kind == ActivationKind::kSoftmax);
    constexpr float kLow = 1e-30f, kHigh = 1.0f - 6e-8f;
    for (std::int64_t i = 0; i < p.size(); ++i) {
        const float q = std::clamp(p.data[i], kLow, kHigh);
        logits.data[i] =
            act.kind == ActivationKind::kSigmoid ? std::log(q) - std::log1p(-q) : std::log(q);
    }
}

void CpuBackend::gemm_batched(bool transpose_a,
                              bool transpose_b,
                              float alpha,
                              const MatrixBatch& a,
                              const MatrixBatch& b,
                              float beta,
                              const MatrixBatch& c,
                              std::int64_t count) {
    const std::int64_t inner = checked_batched_inner(transpose_a, transpose_b, a, b, c, count);
    if (c.rows == 0 || c.cols == 0) return;
    // OpenBLAS's OpenMP build takes its thread count from the calling thread's setting.
    if (omp_get_max_threads() != threads_) omp_set_num_threads(threads_);
    for (std::int64_t i = 0; i < count; ++i) {
        cblas_sgemm(CblasColMajor, transpose_a ? CblasTrans : CblasNoTrans,
                    transpose_b ? CblasTrans : CblasNoTrans, static_cast<int>(c.rows),
                    static_cast<int>(c.cols), static_cast<int>(inner), alpha, a.data + i * a.stride,
                    static_cast<int>(a.ld), b.data + i * b.stride, static_cast<int>(b.ld), beta,
                    c.data + i * c.stride, static_cast<int>(c.ld));
    }
}

}  // namespace dlctl
