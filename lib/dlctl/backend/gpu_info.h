#pragma once

#include <string>
#include <vector>

namespace dlctl {

struct GpuInfo {
    int index = 0;
    std::string name;
    std::size_t memory_bytes = 0;
    int compute_major = 0;
    int compute_minor = 0;
};

struct GpuInventory {
    bool built_with_cuda = false;
    int driver_version = 0;   ///< e.g. 13000 for 13.0; 0 when no driver
    int runtime_version = 0;  ///< CUDA runtime dlctl was built against
    std::string problem;      ///< why no GPU is usable, when `gpus` is empty
    std::vector<GpuInfo> gpus;
};

/// What CUDA devices this process can see. Never throws: problems are described in `problem`.
GpuInventory gpu_inventory();

}  // namespace dlctl
