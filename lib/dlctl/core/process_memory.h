#pragma once

#include <cstdint>

namespace dlctl {

/// The most resident memory this process has used so far, in bytes (getrusage's ru_maxrss).
std::uint64_t peak_resident_bytes();

}  // namespace dlctl
