#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

// fmt is kept out of .cu files: nvcc's C++20 front end rejects its consteval format strings.

namespace dlctl::cuda {

/// Throws DeviceError naming the call, file and line and the CUDA or cuBLAS message.
[[noreturn]] void throw_cuda_error(cudaError_t status,
                                   const char* call,
                                   const char* file,
                                   int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t status,
                                     const char* call,
                                     const char* file,
                                     int line);

/// Throws DeviceError for a failed allocation of `count` floats on GPU `index`, with the GPU's
/// free and total memory.
[[noreturn]] void throw_out_of_memory(int index, long long count, cudaError_t status);

}  // namespace dlctl::cuda

#define DLCTL_CUDA_CHECK(call)                                                         \
    do {                                                                               \
        const cudaError_t dlctl_status_ = (call);                                      \
        if (dlctl_status_ != cudaSuccess)                                              \
            ::dlctl::cuda::throw_cuda_error(dlctl_status_, #call, __FILE__, __LINE__); \
    } while (0)

#define DLCTL_CUBLAS_CHECK(call)                                                         \
    do {                                                                                 \
        const cublasStatus_t dlctl_status_ = (call);                                     \
        if (dlctl_status_ != CUBLAS_STATUS_SUCCESS)                                      \
            ::dlctl::cuda::throw_cublas_error(dlctl_status_, #call, __FILE__, __LINE__); \
    } while (0)

/// After a kernel launch: reports a bad launch configuration where it happened.
#define DLCTL_CUDA_CHECK_LAUNCH() DLCTL_CUDA_CHECK(cudaGetLastError())
