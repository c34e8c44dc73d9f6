#include "dlctl/backend/backend.h"
#include "dlctl/backend/cuda_factory.h"
#include "dlctl/backend/gpu_info.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace {
constexpr const char* kWithoutCuda = "dlctl was built without CUDA (rebuild with -DDLCTL_CUDA=ON)";
}  // namespace

GpuInventory gpu_inventory() {
    GpuInventory inventory;
    inventory.problem = kWithoutCuda;
    return inventory;
}

std::unique_ptr<Backend> make_cuda_backend(int index, bool /*tf32*/) {
    throw DeviceError("device 'cuda:" + std::to_string(index) + "': " + kWithoutCuda,
                      "use --device cpu");
}

}  // namespace dlctl
