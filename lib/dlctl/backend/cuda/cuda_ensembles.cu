// CudaBackend's operations for ensembles (backend.h, "ensembles"); sums add in the CPU's order.
#include <algorithm>
#include <limits>

#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/core/error.h"

namespace dlctl {

using cuda::blocks_for;
using cuda::kThreads;

namespace {

__global__ void repeat_columns_kernel(
    const float* x, std::int64_t rows, std::int64_t k, float* out, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) out[i] = x[(i / rows) / k * rows + i % rows];
}

__global__ void sum_column_groups_kernel(
    const float* x, std::int64_t rows, std::int64_t k, float scale, float* out, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        const float* group = x + (i / rows) * k * rows + i % rows;
        float sum = group[0];
        for (std::int64_t g = 1; g < k; ++g) sum += group[g * rows];
        out[i] = sum * scale;
    }
}

__global__ void scale_rows_kernel(
    const float* x, const float* factors, std::int64_t rows, float* out, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) out[i] = x[i] * factors[i % rows];
}

__global__ void add_row_products_kernel(
    const float* a, const float* b, std::int64_t rows, std::int64_t cols, float* out) {
    DLCTL_GRID_STRIDE(r, rows) {
        float sum = out[r];
        for (std::int64_t c = 0; c < cols; ++c) sum += a[c * rows + r] * b[c * rows + r];
        out[r] = sum;
    }
}

__global__ void probability_logits_kernel(const float* p,
                                          bool sigmoid,
                                          float* out,
                                          std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        const float q = fminf(fmaxf(p[i], 1e-30f), 1.0f - 6e-8f);
        out[i] = sigmoid ? logf(q) - log1pf(-q) : logf(q);
    }
}

}  // namespace

void CudaBackend::repeat_columns(const Tensor& x, Tensor out) {
    DLCTL_CHECK(x.rows == out.rows && x.cols > 0 && out.cols % x.cols == 0);
    if (out.size() == 0) return;
    repeat_columns_kernel<<<blocks_for(out.size()), kThreads, 0, stream_>>>(
        x.data, x.rows, out.cols / x.cols, out.data, out.size());
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::sum_column_groups(const Tensor& x, float scale, Tensor out) {
    DLCTL_CHECK(x.rows == out.rows && out.cols > 0 && x.cols % out.cols == 0);
    if (out.size() == 0) return;
    sum_column_groups_kernel<<<blocks_for(out.size()), kThreads, 0, stream_>>>(
        x.data, x.rows, x.cols / out.cols, scale, out.data, out.size());
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::scale_rows(const Tensor& x, const Tensor& factors, Tensor out) {
    DLCTL_CHECK(x.rows == out.rows && x.cols == out.cols && factors.size() == x.rows);
    if (x.size() == 0) return;
    scale_rows_kernel<<<blocks_for(x.size()), kThreads, 0, stream_>>>(x.data, factors.data, x.rows,
                                                                      out.data, x.size());
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::add_row_products(const Tensor& a, const Tensor& b, Tensor out) {
    DLCTL_CHECK(a.rows == b.rows && a.cols == b.cols && out.size() == a.rows);
    if (a.rows == 0) return;
    add_row_products_kernel<<<blocks_for(a.rows), kThreads, 0, stream_>>>(a.data, b.data, a.rows,
                                                                          a.cols, out.data);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::probability_logits(Activation act, const Tensor& p, Tensor logits) {
    DLCTL_CHECK(p.size() == logits.size());
    DLCTL_CHECK(act.kind == ActivationKind::kSigmoid || act.kind == ActivationKind::kSoftmax);
    if (p.size() == 0) return;
    probability_logits_kernel<<<blocks_for(p.size()), kThreads, 0, stream_>>>(
        p.data, act.kind == ActivationKind::kSigmoid, logits.data, p.size());
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::gemm_batched(bool transpose_a,
                               bool transpose_b,
                               float alpha,
                               const MatrixBatch& a,
                               const MatrixBatch& b,
                               float beta,
                               const MatrixBatch& c,
                               std::int64_t count) {
    const std::int64_t inner = checked_batched_inner(transpose_a, transpose_b, a, b, c, count);
    if (c.rows == 0 || c.cols == 0 || count == 0) return;
    DLCTL_CUBLAS_CHECK(cublasSgemmStridedBatched(
        cublas_, transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
        static_cast<int>(c.rows), static_cast<int>(c.cols), static_cast<int>(inner), &alpha, a.data,
        static_cast<int>(a.ld), a.stride, b.data, static_cast<int>(b.ld), b.stride, &beta, c.data,
        static_cast<int>(c.ld), c.stride, static_cast<int>(count)));
}

}  // namespace dlctl
