#pragma once

#include <cstdint>

namespace dlctl {

/// A rank's contiguous block of a split's rows: rows [first, first + count) of `total`.
struct RowShard {
    std::int64_t first = 0;
    std::int64_t count = 0;
    std::int64_t total = 0;

    /// The whole split, on one process.
    static RowShard whole(std::int64_t rows) { return {0, rows, rows}; }
    bool holds(std::int64_t row) const { return row >= first && row < first + count; }
};

/// Rank `rank` of `ranks`'s block of `total` rows: as equal as blocks can be, in rank order.
RowShard shard_rows(std::int64_t total, int rank, int ranks);

}  // namespace dlctl
