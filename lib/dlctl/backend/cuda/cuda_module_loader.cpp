#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/backend/cuda_factory.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

constexpr const char* kModule = "libdlctl_cuda.so";
using Factory = Backend* (*)(int, bool);

/// Where the module may be: $DLCTL_CUDA_MODULE, beside the executable, or in ../bin or ../lib
/// from it (test executables live in build/tests, the module in build/bin).
std::vector<fs::path> candidates() {
    std::vector<fs::path> out;
    if (const char* path = std::getenv("DLCTL_CUDA_MODULE"); path != nullptr && *path != '\0') {
        out.emplace_back(path);
    }
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path dir = exe.parent_path();
        out.push_back(dir / kModule);
        out.push_back(dir.parent_path() / "bin" / kModule);
        out.push_back(dir.parent_path() / "lib" / kModule);
    }
    return out;
}

Factory load_factory() {
    std::string problems;
    for (const fs::path& path : candidates()) {
        std::error_code ec;
        if (!fs::exists(path, ec)) continue;
        void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (module == nullptr) {
            problems += fmt::format("; {}: {}", path.string(), dlerror());
            continue;
        }
        if (void* symbol = dlsym(module, "dlctl_create_cuda_backend_v9")) {
            return reinterpret_cast<Factory>(symbol);
        }
        problems += fmt::format("; {}: no dlctl_create_cuda_backend_v9", path.string());
    }
    throw DeviceError(
        fmt::format("cannot load the CUDA backend ({}){}", kModule,
                    problems.empty() ? " : not found beside the dlctl binary" : problems),
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
