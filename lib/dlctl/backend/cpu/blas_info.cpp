#include "dlctl/backend/blas_info.h"

#include <cblas.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string_view>

namespace dlctl {

namespace {

/// OpenBLAS cores without AVX2 (as `openblas_get_corename` names them, lower case).
constexpr std::array<std::string_view, 12> kPreAvx2Cores = {
    "katmai", "coppermine", "northwood",  "prescott", "banias",      "atom",
    "core2",  "penryn",     "dunnington", "nehalem",  "sandybridge", "unknown"};

}  // namespace

BlasInfo blas_info() {
    BlasInfo info;
    const char* name = openblas_get_corename();
    info.core = name != nullptr ? name : "unknown";
    std::string lower = info.core;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const char* forced = std::getenv("OPENBLAS_CORETYPE");
    const bool old_core =
        std::find(kPreAvx2Cores.begin(), kPreAvx2Cores.end(), lower) != kPreAvx2Cores.end();
    if ((forced != nullptr && *forced != '\0') || !old_core) return info;
    if (__builtin_cpu_supports("avx512f")) {
        info.better_core = "SkylakeX";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        info.better_core = "Haswell";
    }
    return info;
}

}  // namespace dlctl
