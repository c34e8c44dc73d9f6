#include "dlctl/core/device.h"

#include <charconv>

#include "dlctl/core/error.h"

namespace dlctl {

Device parse_device(std::string_view text) {
    if (text == "auto") return {DeviceKind::kAuto, 0};
    if (text == "cpu") return {DeviceKind::kCpu, 0};
    if (text == "cuda") return {DeviceKind::kCuda, 0};
    if (text.starts_with("cuda:")) {
        const std::string_view digits = text.substr(5);
        int index = -1;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (ec == std::errc{} && end == digits.data() + digits.size() && !digits.empty() &&
            index >= 0) {
            return {DeviceKind::kCuda, index};
        }
    }
    throw UsageError("invalid device '" + std::string(text) + "'",
                     "accepted forms: 'auto', 'cpu', 'cuda', 'cuda:N' (N = 0, 1, ...)");
}

std::string to_string(const Device& device) {
    switch (device.kind) {
        case DeviceKind::kAuto:
            return "auto";
        case DeviceKind::kCpu:
            return "cpu";
        case DeviceKind::kCuda:
            return "cuda:" + std::to_string(device.index);
    }
    return "auto";
}

}  // namespace dlctl
