// The entry point of the CUDA backend module (libdlctl_cuda.so), which dlctl loads on first use.
// The name carries the signature's version, so a stale module is refused rather than misused.
#include "dlctl/backend/cuda/cuda_backend.h"

extern "C" __attribute__((visibility("default"))) dlctl::Backend* dlctl_create_cuda_backend_v10(
    int index, bool tf32) {
    return new dlctl::CudaBackend(index, tf32);
}
