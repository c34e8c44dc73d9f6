#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dlctl/data/table.h"

namespace dlctl {

/// A table read a whole column at a time, for prepare_data's steps when its rows are not all in
/// memory (out of core: ColumnStore) or not all on this rank (RankColumns).
class ColumnSource {
  public:
    virtual ~ColumnSource() = default;
    /// Names, types and categories (of every row) and the source; no rows.
    virtual const Table& header() const = 0;
    virtual std::size_t rows() const = 0;
    /// Column `c` of every row.
    virtual Column column(int c) const = 0;
    /// The line number of every row.
    virtual std::vector<std::uint32_t> lines() const = 0;
};

}  // namespace dlctl
