#include <CLI/CLI.hpp>
#include <cstdio>

#include "commands.h"
#include "dlctl/backend/blas_info.h"
#include "dlctl/backend/gpu_info.h"

namespace dlctl::cli {

namespace {

std::string cuda_version(int v) {
    return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

int run_devices() {
    const GpuInventory inventory = gpu_inventory();
    const BlasInfo blas = blas_info();
    std::printf("cpu\tavailable\tOpenBLAS %s kernels\n", blas.core.c_str());
    if (!blas.better_core.empty()) {
        std::printf(
            "# OpenBLAS does not know this CPU model and runs older kernels than it can: set "
            "OPENBLAS_CORETYPE=%s for faster products\n",
            blas.better_core.c_str());
    }
    if (inventory.built_with_cuda) {
        std::printf(
            "# CUDA runtime %s, driver %s\n", cuda_version(inventory.runtime_version).c_str(),
            inventory.driver_version ? cuda_version(inventory.driver_version).c_str() : "none");
    }
    for (const GpuInfo& gpu : inventory.gpus) {
        std::printf("cuda:%d\t%s\t%.1f GiB\tcompute %d.%d\n", gpu.index, gpu.name.c_str(),
                    static_cast<double>(gpu.memory_bytes) / (1024.0 * 1024.0 * 1024.0),
                    gpu.compute_major, gpu.compute_minor);
    }
    if (inventory.gpus.empty()) std::printf("# no GPU: %s\n", inventory.problem.c_str());
    return 0;
}

}  // namespace

void add_devices_command(CLI::App& app, Action& action) {
    CLI::App* cmd = app.add_subcommand("devices", "list the compute devices dlctl can use");
    cmd->footer("Example:\n  dlctl devices");
    cmd->callback([&action] { action = run_devices; });
}

}  // namespace dlctl::cli
