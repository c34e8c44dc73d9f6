#include <spdlog/spdlog.h>

#include "dlctl/backend/backend.h"
#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cuda_factory.h"
#include "dlctl/backend/gpu_info.h"
#include "dlctl/core/error.h"

namespace dlctl {

std::unique_ptr<Backend> make_backend(const Device& device, int threads, bool tf32) {
    switch (device.kind) {
        case DeviceKind::kCpu:
            return std::make_unique<CpuBackend>(threads);
        case DeviceKind::kAuto: {
            const GpuInventory inventory = gpu_inventory();
            if (inventory.gpus.empty()) {
                // Most machines have no GPU: why is a detail (dlctl devices says it too).
                spdlog::debug("device auto: using cpu ({})", inventory.problem);
                return std::make_unique<CpuBackend>(threads);
            }
            try {
                auto backend = make_cuda_backend(0, tf32);
                spdlog::info("device auto: using cuda:0 ({})", inventory.gpus.front().name);
                return backend;
            } catch (const DeviceError& e) {
                spdlog::warn("device auto: cuda:0 is not usable ({}); using cpu", e.what());
                return std::make_unique<CpuBackend>(threads);
            }
        }
        case DeviceKind::kCuda: {
            const GpuInventory inventory = gpu_inventory();
            if (!inventory.built_with_cuda) {
                throw DeviceError("device '" + to_string(device) + "': " + inventory.problem,
                                  "use --device cpu");
            }
            if (device.index >= static_cast<int>(inventory.gpus.size())) {
                throw DeviceError(
                    "device '" + to_string(device) + "' not found: " +
                        (inventory.gpus.empty()
                             ? inventory.problem
                             : std::to_string(inventory.gpus.size()) + " GPU(s) present"),
                    "run 'dlctl devices' to list GPUs, or use --device cpu");
            }
            return make_cuda_backend(device.index, tf32);
        }
    }
    throw InternalError(__FILE__, __LINE__, "unhandled device kind");
}

}  // namespace dlctl
