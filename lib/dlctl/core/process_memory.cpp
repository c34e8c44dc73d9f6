#include "dlctl/core/process_memory.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <string>

namespace dlctl {

std::uint64_t peak_resident_bytes() {
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

std::uint64_t physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * page : 0;
}

namespace {

/// The number in the first line of `path`; nullopt when unreadable or not a number ("max").
std::optional<std::uint64_t> number_in(const std::string& path) {
    std::ifstream in(path);
    std::uint64_t value = 0;
    if (in >> value) return value;
    return std::nullopt;
}

}  // namespace

std::uint64_t memory_limit_bytes() {
    std::uint64_t limit = physical_memory_bytes();
    std::ifstream cgroups("/proc/self/cgroup");
    std::string line;
    while (std::getline(cgroups, line)) {  // "0::/path" (v2), "N:memory:/path" (v1)
        const auto first = line.find(':'), second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        const std::string controllers = line.substr(first + 1, second - first - 1);
        const std::string path = line.substr(second + 1);
        std::optional<std::uint64_t> found;
        if (controllers.empty()) {
            found = number_in("/sys/fs/cgroup" + path + "/memory.max");
        } else if (controllers.find("memory") != std::string::npos) {
            found = number_in("/sys/fs/cgroup/memory" + path + "/memory.limit_in_bytes");
        }
        if (found && *found > 0) limit = std::min(limit, *found);
    }
    return limit;
}

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
    double number = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc{} || !(number >= 0.0) || !std::isfinite(number)) return std::nullopt;
    std::string unit(end, text.data() + text.size());
    unit.erase(0, unit.find_first_not_of(' '));
    std::transform(unit.begin(), unit.end(), unit.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::pair<const char*, double> units[] = {{"", 1.0},
                                                    {"b", 1.0},
                                                    {"kb", 1e3},
                                                    {"mb", 1e6},
                                                    {"gb", 1e9},
                                                    {"tb", 1e12},
                                                    {"kib", 1024.0},
                                                    {"mib", 1048576.0},
                                                    {"gib", 1073741824.0},
                                                    {"tib", 1099511627776.0}};
    for (const auto& [name, factor] : units) {
        if (unit == name && number * factor < 9e18) {
            return static_cast<std::uint64_t>(std::llround(number * factor));
        }
    }
    return std::nullopt;
}

}  // namespace dlctl
