// The entry point of the CUDA backend module (libdlctl_cuda.so), which dlctl loads on first use.
#include "dlctl/backend/cuda/cuda_backend.h"

extern "C" __attribute__((visibility("default"))) dlctl::Backend* dlctl_create_cuda_backend(
    int index) {
    return new dlctl::CudaBackend(index);
}
