#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace dlctl {

/// The most resident memory this process has used so far, in bytes (getrusage's ru_maxrss).
std::uint64_t peak_resident_bytes();

/// The machine's physical memory in bytes.
std::uint64_t physical_memory_bytes();

/// The memory this process may use: the machine's, or less where its cgroup (a container, a
/// Slurm job) limits it.
std::uint64_t memory_limit_bytes();

/// A size such as "512MB", "2GB", "1.5GiB" or "4096" in bytes: B, KB, MB, GB, TB are powers of
/// 1000, KiB, MiB, GiB, TiB powers of 1024 (any case; blanks allowed before the unit); nullopt
/// for anything else.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace dlctl
