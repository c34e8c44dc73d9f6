#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "dlctl/core/error.h"

namespace dlctl {

/// What a caller accepts when it reads a file whole, and how it reports a refusal.
struct WholeFileRules {
    std::string what;               ///< names the file in messages, e.g. "spec", "checkpoint"
    std::uint64_t max_bytes = 0;    ///< larger files are refused
    bool streams_allowed = false;   ///< pipes and character devices too (read up to max_bytes)
    ExitCode code = ExitCode::kIo;  ///< the exit code of a refusal
    std::string hint;               ///< what to do about a refusal
};

/// All bytes of `path`, read in one pass through one descriptor. Throws an Error with
/// `rules.code` naming the file when it cannot be opened or read, is a directory, is not a
/// regular file (unless streams are allowed), holds more than `rules.max_bytes`, or changes size
/// while it is read.
std::string read_whole_file(const std::filesystem::path& path, const WholeFileRules& rules);

/// "12.0 MB" style text of a byte count, for messages.
std::string byte_size_text(std::uint64_t bytes);

}  // namespace dlctl
