#include <filesystem>

#include "dlctl/config/spec_reader.h"
#include "dlctl/core/error.h"

namespace dlctl::spec_detail {

namespace fs = std::filesystem;

fs::path absolute_path(const fs::path& path) {
    std::error_code ec;
    fs::path result = fs::absolute(path, ec);
    if (ec) throw UsageError("cannot resolve path '" + path.string() + "': " + ec.message());
    return result;
}

std::string resolve_path(const std::string& path, const fs::path& base_dir) {
    if (path.empty()) return path;
    fs::path p(path);
    if (p.is_relative()) p = base_dir / p;
    return absolute_path(p).lexically_normal().string();
}

}  // namespace dlctl::spec_detail
