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

/// Pass widths are multiples of this many columns, the GEMM kernels' blocking; a batch of at
/// least this many columns a thread trains in lanes, one a thread (cpu_step_executor.h).
inline constexpr std::int64_t kPassColumnGranule = 64;

/// At batches too small for lanes, each thread owns a share of every large weight matrix's
/// columns, in multiples of this many: its products work on those columns and the optimizer
/// updates them (CpuBackend::gemm_by_weight_columns, optimizer_update).
inline constexpr std::int64_t kOwnerColumnGranule = 16;
/// Weight matrices smaller than this many floats are not split (their products are small).
inline constexpr std::int64_t kOwnerMinWeightFloats = std::int64_t{1} << 14;

/// Whether a rows × cols weight matrix is split by columns between the threads that own them.
inline bool splits_weight_columns(std::int64_t rows, std::int64_t cols) {
    return rows * cols >= kOwnerMinWeightFloats && cols >= 2 * kOwnerColumnGranule;
}

/// The range [first, last) of [0, count) that part `part` of `parts` gets: contiguous, bounds
/// multiples of `granule` (except the end), empty for parts beyond the count. Depends only on its
/// arguments, so results are reproducible for a given thread count.
inline std::pair<std::int64_t, std::int64_t> part_range(std::int64_t count,
                                                        std::int64_t granule,
                                                        int part,
                                                        int parts) {
    const std::int64_t granules = (count + granule - 1) / granule;
    const std::int64_t step = (granules + parts - 1) / std::max(parts, 1) * granule;
    if (parts <= 1 || step >= count) {
        return part == 0 ? std::pair{std::int64_t{0}, count} : std::pair{count, count};
    }
    const std::int64_t first = std::min(count, part * step);
    return {first, std::min(count, first + step)};
}

/// Calls body(first, last, part) for each part_range of [0, count), part p on OpenMP thread p.
/// Returns the number of parts used (1 when one part covers everything).
template <typename Body>
int for_each_part(std::int64_t count, std::int64_t granule, int parts, const Body& body) {
    if (part_range(count, granule, 0, parts).second == count) {
        body(std::int64_t{0}, count, 0);
        return 1;
    }
#pragma omp parallel for num_threads(parts) schedule(static, 1)
    for (int part = 0; part < parts; ++part) {
        const auto [first, last] = part_range(count, granule, part, parts);
        body(first, last, part);
    }
    return parts;
}

}  // namespace dlctl::cpu
