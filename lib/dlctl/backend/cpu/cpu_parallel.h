#pragma once

#include <algorithm>
#include <cstdint>

namespace dlctl::cpu {

/// Passes over fewer floats than this stay on the calling thread: waking another thread costs
/// more than it saves.
inline constexpr std::int64_t kParallelMinElements = std::int64_t{1} << 16;

/// Threads for a pass over `elements` floats: all `threads` of the backend, or one for small
/// passes.
inline int threads_for(std::int64_t elements, int threads) {
    return elements >= kParallelMinElements ? threads : 1;
}

/// Splits [0, count) into at most `parts` contiguous ranges whose bounds are multiples of
/// `granule` (except the end) and calls body(first, last, part) for each, part p on OpenMP thread
/// p. Returns the number of parts used. The split depends only on count, granule and parts, so
/// results are reproducible for a given thread count.
template <typename Body>
int for_each_part(std::int64_t count, std::int64_t granule, int parts, const Body& body) {
    const std::int64_t granules = (count + granule - 1) / granule;
    const std::int64_t step = (granules + parts - 1) / std::max(parts, 1) * granule;
    if (parts <= 1 || step >= count) {
        body(std::int64_t{0}, count, 0);
        return 1;
    }
#pragma omp parallel for num_threads(parts) schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
        const std::int64_t first = std::min(count, part * step);
        const std::int64_t last = std::min(count, first + step);
        body(first, last, part);
    }
    return parts;
}

}  // namespace dlctl::cpu
