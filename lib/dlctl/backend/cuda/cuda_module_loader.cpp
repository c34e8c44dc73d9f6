#include <fmt/format.h>

#include <mutex>

#include "dlctl/backend/backend.h"
#include "dlctl/backend/cuda_factory.h"
#include "dlctl/core/error.h"
#include "dlctl/core/module_loader.h"

namespace dlctl {

namespace {

constexpr const char* kModule = "libdlctl_cuda.so";
using Factory = Backend* (*)(int, bool);

Factory load_factory() {
    std::string problems;
    if (void* symbol = load_module_symbol(kModule, "DLCTL_CUDA_MODULE",
                                          "dlctl_create_cuda_backend_v10", problems)) {
        return reinterpret_cast<Factory>(symbol);
    }
    throw DeviceError(fmt::format("cannot load the CUDA backend ({}){}", kModule, problems),
                      "keep libdlctl_cuda.so next to dlctl (or set DLCTL_CUDA_MODULE to its "
                      "path), or use --device cpu");
}

}  // namespace

std::unique_ptr<Backend> make_cuda_backend(int index, bool tf32) {
    static std::mutex mutex;
    static Factory factory = nullptr;
    {
        const std::lock_guard<std::mutex> lock(mutex);
        if (factory == nullptr) factory = load_factory();  // a failure is retried next time
    }
    return std::unique_ptr<Backend>(factory(index, tf32));
}

}  // namespace dlctl
