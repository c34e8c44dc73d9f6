#include <limits>

#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/core/error.h"

namespace dlctl {

using cuda::blocks_for;
using cuda::kThreads;

namespace {

__global__ void fill_kernel(float* x, std::int64_t n, float value) {
    DLCTL_GRID_STRIDE(i, n) x[i] = value;
}

__global__ void multiply_kernel(const float* a, const float* b, float* out, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) out[i] = a[i] * b[i];
}

__global__ void add_kernel(const float* x, float* y, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) y[i] += x[i];
}

__global__ void scale_kernel(float* x, std::int64_t n, float factor) {
    DLCTL_GRID_STRIDE(i, n) x[i] *= factor;
}

__global__ void clamp_kernel(float* x, std::int64_t n, float lo, float hi) {
    // NaN stays NaN, so clipping never hides a diverging gradient.
    DLCTL_GRID_STRIDE(i, n) x[i] = x[i] != x[i] ? x[i] : fminf(fmaxf(x[i], lo), hi);
}

__global__ void penalty_kernel(const float* w, float* g, std::int64_t n, float l1, float l2) {
    DLCTL_GRID_STRIDE(i, n) {
        const float sign = w[i] > 0.0f ? 1.0f : (w[i] < 0.0f ? -1.0f : 0.0f);
        g[i] += l1 * sign + 2.0f * l2 * w[i];
    }
}

/// One block, so the sum is the same on every run (no atomics): gradient clipping stays
/// reproducible.
__global__ void squared_norm_kernel(const float* x, std::int64_t n, double* total) {
    __shared__ double shared[32];
    double sum = 0.0;
    for (std::int64_t i = threadIdx.x; i < n; i += blockDim.x)
        sum += static_cast<double>(x[i]) * x[i];
    sum = cuda::block_sum(sum, shared);
    if (threadIdx.x == 0) *total = sum;
}

/// out[r] = Σ_c x[r, c] (or out[r] += Σ_c x[r, c] when `accumulate`): 32 rows per block, 8
/// lanes over the columns, reduced in shared memory.
__global__ void sum_columns_kernel(
    const float* x, std::int64_t rows, std::int64_t cols, bool accumulate, float* out) {
    __shared__ float partial[8][33];
    const std::int64_t r = static_cast<std::int64_t>(blockIdx.x) * 32 + threadIdx.x;
    float sum = 0.0f;
    if (r < rows) {
        for (std::int64_t c = threadIdx.y; c < cols; c += 8) sum += x[c * rows + r];
    }
    partial[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && r < rows) {
        for (int lane = 1; lane < 8; ++lane) sum += partial[lane][threadIdx.x];
        out[r] = accumulate ? out[r] + sum : sum;
    }
}

__global__ void gather_columns_kernel(const float* src,
                                      std::int64_t rows,
                                      const std::uint32_t* indices,
                                      std::int64_t cols,
                                      float* dst) {
    DLCTL_GRID_STRIDE(i, rows * cols) {
        const std::int64_t c = i / rows, r = i - c * rows;
        dst[i] = src[static_cast<std::int64_t>(indices[c]) * rows + r];
    }
}

}  // namespace

CudaBackend::CudaBackend(int index, bool tf32) : index_(index) {
    try {
        DLCTL_CUDA_CHECK(cudaSetDevice(index));
        // A GPU whose architecture this build has no kernels for fails here, not mid-training.
        cudaFuncAttributes attributes{};
        DLCTL_CUDA_CHECK(cudaFuncGetAttributes(&attributes, fill_kernel));
        DLCTL_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
        DLCTL_CUBLAS_CHECK(cublasCreate(&cublas_));
        DLCTL_CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
        // fp32 products as on the CPU, unless train.precision asks for TF32 tensor cores.
        DLCTL_CUBLAS_CHECK(
            cublasSetMathMode(cublas_, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
        DLCTL_CUDA_CHECK(cudaMalloc(&norm_accumulator_, sizeof(double)));
        DLCTL_CUDA_CHECK(cudaMallocHost(&norm_result_, sizeof(double)));
    } catch (...) {
        release();
        throw;
    }
}

CudaBackend::~CudaBackend() { release(); }

void CudaBackend::release() noexcept {
    // Errors here cannot be reported; the process is ending or the backend is being replaced.
    if (stream_ != nullptr) cudaStreamSynchronize(stream_);
    cudaFree(norm_accumulator_);
    cudaFreeHost(norm_result_);
    if (cublas_ != nullptr) cublasDestroy(cublas_);
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

Buffer CudaBackend::allocate(std::int64_t count) {
    DLCTL_CHECK(count >= 0 && count <= std::numeric_limits<std::int64_t>::max() / 8);
    DLCTL_CUDA_CHECK(cudaSetDevice(index_));  // the process may hold backends on several GPUs
    float* data = nullptr;
    const std::size_t bytes = static_cast<std::size_t>(count > 0 ? count : 1) * sizeof(float);
    const cudaError_t status = cudaMalloc(&data, bytes);
    if (status != cudaSuccess) cuda::throw_out_of_memory(index_, count, status);
    DLCTL_CUDA_CHECK(cudaMemsetAsync(data, 0, bytes, stream_));
    return Buffer(data, count, [](float* p) { cudaFree(p); });
}

void CudaBackend::upload(const float* host, Tensor dst) {
    if (dst.size() == 0) return;
    DLCTL_CUDA_CHECK(cudaMemcpyAsync(dst.data, host, dst.size() * sizeof(float),
                                     cudaMemcpyHostToDevice, stream_));
    // The caller may free or reuse `host` as soon as this returns.
    DLCTL_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void CudaBackend::download(const Tensor& src, float* host) {
    if (src.size() == 0) return;
    DLCTL_CUDA_CHECK(cudaMemcpyAsync(host, src.data, src.size() * sizeof(float),
                                     cudaMemcpyDeviceToHost, stream_));
    DLCTL_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

void CudaBackend::fill(Tensor t, float value) {
    if (t.size() == 0) return;
    fill_kernel<<<blocks_for(t.size()), kThreads, 0, stream_>>>(t.data, t.size(), value);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::copy(const Tensor& src, Tensor dst) {
    DLCTL_CHECK(src.size() == dst.size());
    if (src.size() == 0 || src.data == dst.data) return;
    DLCTL_CUDA_CHECK(cudaMemcpyAsync(dst.data, src.data, src.size() * sizeof(float),
                                     cudaMemcpyDeviceToDevice, stream_));
}

void CudaBackend::add(const Tensor& x, Tensor y) {
    DLCTL_CHECK(x.size() == y.size());
    if (x.size() == 0) return;
    add_kernel<<<blocks_for(x.size()), kThreads, 0, stream_>>>(x.data, y.data, x.size());
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::gemm(bool transpose_a,
                       bool transpose_b,
                       float alpha,
                       const Tensor& a,
                       const Tensor& b,
                       float beta,
                       Tensor c) {
    const std::int64_t k = transpose_a ? a.rows : a.cols;
    DLCTL_CHECK((transpose_a ? a.cols : a.rows) == c.rows);
    DLCTL_CHECK((transpose_b ? b.rows : b.cols) == c.cols);
    DLCTL_CHECK(k == (transpose_b ? b.cols : b.rows));
    constexpr std::int64_t kMax = std::numeric_limits<int>::max();
    DLCTL_CHECK(c.rows <= kMax && c.cols <= kMax && k <= kMax && a.rows <= kMax &&
                b.rows <= kMax);  // cuBLAS takes int dimensions
    if (c.size() == 0) return;
    if (k == 0) {  // an empty product: C = beta · C
        if (beta == 0.0f) {
            fill(c, 0.0f);
        } else {
            scale(c, beta);
        }
        return;
    }
    // Tensors are column-major, as cuBLAS expects; leading dimensions are the row counts.
    DLCTL_CUBLAS_CHECK(cublasSgemm(
        cublas_, transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
        static_cast<int>(c.rows), static_cast<int>(c.cols), static_cast<int>(k), &alpha, a.data,
        static_cast<int>(a.rows > 0 ? a.rows : 1), b.data,
        static_cast<int>(b.rows > 0 ? b.rows : 1), &beta, c.data, static_cast<int>(c.rows)));
}

void CudaBackend::sum_columns(const Tensor& x, Tensor out) { sum_columns_into(x, out, false); }

void CudaBackend::sum_columns_into(const Tensor& x, Tensor out, bool accumulate) {
    DLCTL_CHECK(out.size() == x.rows);
    if (x.rows == 0) return;
    const dim3 threads(32, 8);
    const auto blocks = static_cast<unsigned>((x.rows + 31) / 32);
    sum_columns_kernel<<<blocks, threads, 0, stream_>>>(x.data, x.rows, x.cols, accumulate,
                                                        out.data);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::multiply(const Tensor& a, const Tensor& b, Tensor out) {
    DLCTL_CHECK(a.size() == b.size() && a.size() == out.size());
    if (a.size() == 0) return;
    multiply_kernel<<<blocks_for(a.size()), kThreads, 0, stream_>>>(a.data, b.data, out.data,
                                                                    a.size());
    DLCTL_CUDA_CHECK_LAUNCH();
}

IndexBuffer CudaBackend::allocate_indices(std::int64_t count) {
    DLCTL_CHECK(count >= 0 && count <= std::numeric_limits<std::int64_t>::max() / 8);
    DLCTL_CUDA_CHECK(cudaSetDevice(index_));
    std::uint32_t* data = nullptr;
    const std::size_t bytes =
        static_cast<std::size_t>(count > 0 ? count : 1) * sizeof(std::uint32_t);
    const cudaError_t status = cudaMalloc(&data, bytes);
    if (status != cudaSuccess) cuda::throw_out_of_memory(index_, count, status);
    DLCTL_CUDA_CHECK(cudaMemsetAsync(data, 0, bytes, stream_));
    return IndexBuffer(data, count, [](std::uint32_t* p) { cudaFree(p); });
}

void CudaBackend::upload_indices(const std::uint32_t* host,
                                 std::int64_t count,
                                 std::uint32_t* dst) {
    if (count <= 0) return;
    // Stream order: the copy waits for the gathers queued before it, and later gathers wait for
    // it. From pageable memory the bytes are staged before this returns, so `host` may be reused.
    DLCTL_CUDA_CHECK(cudaMemcpyAsync(dst, host,
                                     static_cast<std::size_t>(count) * sizeof(std::uint32_t),
                                     cudaMemcpyHostToDevice, stream_));
}

void CudaBackend::gather_columns(const Tensor& src, const std::uint32_t* indices, Tensor dst) {
    DLCTL_CHECK(src.rows == dst.rows);
    if (dst.size() == 0) return;
    gather_columns_kernel<<<blocks_for(dst.size()), kThreads, 0, stream_>>>(
        src.data, src.rows, indices, dst.cols, dst.data);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::add_penalty_gradient(const Tensor& w, Tensor g, float l1, float l2) {
    DLCTL_CHECK(w.size() == g.size());
    if (w.size() == 0 || (l1 == 0.0f && l2 == 0.0f)) return;
    penalty_kernel<<<blocks_for(w.size()), kThreads, 0, stream_>>>(w.data, g.data, w.size(), l1,
                                                                   l2);
    DLCTL_CUDA_CHECK_LAUNCH();
}

double CudaBackend::squared_norm(const Tensor& x) {
    if (x.size() == 0) return 0.0;
    squared_norm_kernel<<<1, 1024, 0, stream_>>>(x.data, x.size(), norm_accumulator_);
    DLCTL_CUDA_CHECK_LAUNCH();
    DLCTL_CUDA_CHECK(cudaMemcpyAsync(norm_result_, norm_accumulator_, sizeof(double),
                                     cudaMemcpyDeviceToHost, stream_));
    DLCTL_CUDA_CHECK(cudaStreamSynchronize(stream_));
    return *norm_result_;
}

void CudaBackend::scale(Tensor x, float factor) {
    if (x.size() == 0) return;
    scale_kernel<<<blocks_for(x.size()), kThreads, 0, stream_>>>(x.data, x.size(), factor);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::clamp(Tensor x, float lo, float hi) {
    if (x.size() == 0) return;
    clamp_kernel<<<blocks_for(x.size()), kThreads, 0, stream_>>>(x.data, x.size(), lo, hi);
    DLCTL_CUDA_CHECK_LAUNCH();
}

}  // namespace dlctl
