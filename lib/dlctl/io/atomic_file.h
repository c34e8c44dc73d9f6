#pragma once

#include <filesystem>
#include <span>
#include <string_view>

namespace dlctl {

/// Writes `content` to `path` so that readers see either the old file or the complete new one:
/// a temporary file in the same directory is written, fsync'ed and renamed over `path`.
/// Throws IoError naming the path on failure, leaving any existing file untouched.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);
/// The same for a file made of `pieces` one after another, written without joining them.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::string_view> pieces);

/// Makes `path` a second name of the complete file `existing` (a hard link; a copy where the file
/// system has none), with the same guarantee: readers see the old `path` or the new one. Later
/// write_file_atomic calls on either name replace that name only. Throws IoError on failure.
void link_file_atomic(const std::filesystem::path& existing, const std::filesystem::path& path);

}  // namespace dlctl
