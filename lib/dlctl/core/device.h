#pragma once

#include <string>
#include <string_view>

namespace dlctl {

enum class DeviceKind { kAuto, kCpu, kCuda };

/// A compute device as named in specs and on the command line: `auto`, `cpu`, `cuda`, `cuda:N`.
struct Device {
    DeviceKind kind = DeviceKind::kAuto;
    int index = 0;  ///< CUDA ordinal; 0 for `cuda`

    bool operator==(const Device&) const = default;
};

/// Parses a device string; throws UsageError listing every accepted form.
Device parse_device(std::string_view text);

/// The canonical spelling: "auto", "cpu", "cuda:0".
std::string to_string(const Device& device);

}  // namespace dlctl
