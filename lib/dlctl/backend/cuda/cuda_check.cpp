#include "dlctl/backend/cuda/cuda_check.h"

#include <fmt/format.h>

#include <filesystem>

#include "dlctl/core/error.h"

namespace dlctl::cuda {

namespace {
std::string where(const char* file, int line) {
    return fmt::format("{}:{}", std::filesystem::path(file).filename().string(), line);
}
}  // namespace

void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
    const char* hint = status == cudaErrorMemoryAllocation
                           ? "reduce train.batch_size or the layer sizes, or use --device cpu"
                           : "run 'dlctl devices'; --device cpu trains without the GPU";
    throw DeviceError(fmt::format("CUDA error in {} ({}): {} ({})", call, where(file, line),
                                  cudaGetErrorString(status), cudaGetErrorName(status)),
                      hint);
}

void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line) {
    throw DeviceError(fmt::format("cuBLAS error in {} ({}): {} ({})", call, where(file, line),
                                  cublasGetStatusString(status), cublasGetStatusName(status)),
                      "run 'dlctl devices'; --device cpu trains without the GPU");
}

void throw_out_of_memory(int index, long long count, cudaError_t status) {
    cudaGetLastError();  // clear the error so later calls work
    std::size_t free_bytes = 0, total_bytes = 0;
    cudaMemGetInfo(&free_bytes, &total_bytes);
    constexpr double kGiB = 1 << 30;
    throw DeviceError(
        fmt::format("cannot allocate {} floats ({:.2f} GiB) on cuda:{}: {} ({:.2f} of "
                    "{:.2f} GiB free)",
                    count, static_cast<double>(count) * 4 / kGiB, index, cudaGetErrorString(status),
                    free_bytes / kGiB, total_bytes / kGiB),
        "reduce train.batch_size or the layer sizes, or use --device cpu");
}

}  // namespace dlctl::cuda
