#include <cuda_runtime.h>

#include "dlctl/backend/gpu_info.h"

namespace dlctl {

GpuInventory gpu_inventory() {
    GpuInventory inventory;
    inventory.built_with_cuda = true;
    cudaRuntimeGetVersion(&inventory.runtime_version);
    cudaDriverGetVersion(&inventory.driver_version);
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
        inventory.problem = std::string("no usable CUDA device: ") + cudaGetErrorString(status);
        return inventory;
    }
    for (int i = 0; i < count; ++i) {
        cudaDeviceProp props{};
        if (cudaGetDeviceProperties(&props, i) != cudaSuccess) continue;
        inventory.gpus.push_back({i, props.name, props.totalGlobalMem, props.major, props.minor});
    }
    if (inventory.gpus.empty()) inventory.problem = "no CUDA device found";
    return inventory;
}

}  // namespace dlctl
