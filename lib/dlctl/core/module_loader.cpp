#include "dlctl/core/module_loader.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace dlctl {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> candidates(const char* module, const char* env) {
    std::vector<fs::path> out;
    if (const char* path = std::getenv(env); path != nullptr && *path != '\0') {
        out.emplace_back(path);
    }
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path dir = exe.parent_path();
        out.push_back(dir / module);
        out.push_back(dir.parent_path() / "bin" / module);
        out.push_back(dir.parent_path() / "lib" / module);
    }
    return out;
}

}  // namespace

void* load_module_symbol(const char* module,
                         const char* env,
                         const char* symbol,
                         std::string& problems) {
    problems.clear();
    for (const fs::path& path : candidates(module, env)) {
        std::error_code ec;
        if (!fs::exists(path, ec)) continue;
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            problems += fmt::format("; {}: {}", path.string(), dlerror());
            continue;
        }
        if (void* found = dlsym(handle, symbol)) return found;
        problems += fmt::format("; {}: no {}", path.string(), symbol);
    }
    if (problems.empty()) {
        problems = " : not found beside the dlctl binary";
    }
    return nullptr;
}

}  // namespace dlctl
