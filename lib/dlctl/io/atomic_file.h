#pragma once

#include <filesystem>
#include <string_view>

namespace dlctl {

/// Writes `content` to `path` so that readers see either the old file or the complete new one:
/// a temporary file in the same directory is written, fsync'ed and renamed over `path`.
/// Throws IoError naming the path on failure, leaving any existing file untouched.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace dlctl
