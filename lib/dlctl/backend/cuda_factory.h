#pragma once

#include <memory>

namespace dlctl {

class Backend;

/// The CUDA backend on GPU `index` (cuBLAS GEMMs and dlctl's kernels); `tf32`: GEMMs on TF32
/// tensor cores. Throws DeviceError when dlctl was built without CUDA or the GPU cannot be used.
std::unique_ptr<Backend> make_cuda_backend(int index, bool tf32 = false);

}  // namespace dlctl
