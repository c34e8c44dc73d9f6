#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

namespace dlctl::cpu {

/// Passes over fewer floats than this stay on the calling thread: waking another thread costs
/// more than it saves.
inline constexpr std::int64_t kParallelMinElements = std::int64_t{1} << 16;

/// Threads for a pass over `elements` floats: all `threads` of the backend, or one for small
/// passes.
inline int threads_for(std::int64_t elements, int threads) {
    return elements >= kParallelMinElements ? threads : 1;
}

/// At batches too small for lanes, each thread owns a share of every large weight matrix's
/// columns, in multiples of this many: its products work on those columns and the optimizer
/// updates them (CpuBackend::gemm_by_weight_columns, optimizer_update).
inline constexpr std::int64_t kOwnerColumnGranule = 16;
/// Weight matrices smaller than this many floats are not split (their products are small).
inline constexpr std::int64_t kOwnerMinWeightFloats = std::int64_t{1} << 14;

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

/// The columns [first, last) that for_each_part(columns, kOwnerColumnGranule, parts, ...) gives
/// part `part` (empty for parts it does not use).
inline std::pair<std::int64_t, std::int64_t> owner_columns(std::int64_t columns,
                                                           int part,
                                                           int parts) {
    const std::int64_t granules = (columns + kOwnerColumnGranule - 1) / kOwnerColumnGranule;
    const std::int64_t step = (granules + parts - 1) / std::max(parts, 1) * kOwnerColumnGranule;
    if (parts <= 1 || step >= columns) {
        return part == 0 ? std::pair{std::int64_t{0}, columns} : std::pair{columns, columns};
    }
    const std::int64_t first = std::min(columns, part * step);
    return {first, std::min(columns, first + step)};
}

}  // namespace dlctl::cpu
