// The GPU tests' main: exits 77 (CTest: skipped) when no CUDA device is usable, so machines
// without a GPU, CI among them, skip them cleanly.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>

#include "dlctl/backend/gpu_info.h"

int main(int argc, char* argv[]) {
    const dlctl::GpuInventory inventory = dlctl::gpu_inventory();
    if (inventory.gpus.empty()) {
        std::printf("SKIP: no usable CUDA device (%s)\n", inventory.problem.c_str());
        return 77;
    }
    std::printf("GPU tests on %s\n", inventory.gpus.front().name.c_str());
    return Catch::Session().run(argc, argv);
}
