#include "dlctl/backend/gpu_info.h"

namespace dlctl {

GpuInventory gpu_inventory() {
    GpuInventory inventory;
    inventory.problem = "dlctl was built without CUDA (rebuild with -DDLCTL_CUDA=ON)";
    return inventory;
}

}  // namespace dlctl
