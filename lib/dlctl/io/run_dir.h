#pragma once

#include <filesystem>

namespace dlctl {

/// Creates the directory a run writes into and returns it.
/// - `requested` non-empty: exactly that directory (created with parents); an IoError if it
///   already holds a run's files, so a finished run is never overwritten.
/// - otherwise a new `<parent>/<YYYYmmdd-HHMMSS>` (suffixed -2, -3, ... when taken).
std::filesystem::path create_run_dir(const std::filesystem::path& parent,
                                     const std::filesystem::path& requested);

}  // namespace dlctl
