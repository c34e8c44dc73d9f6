#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dlctl {

/// A parsed CSV file: named float32 columns, stored column by column.
struct Table {
    std::string source;                       ///< file the table was read from
    std::vector<std::string> names;           ///< column names, unique
    std::vector<std::vector<float>> columns;  ///< columns[c][row]
    std::vector<std::uint32_t> lines;         ///< 1-based file line of each row, for messages

    std::size_t rows() const { return lines.size(); }
    /// Index of the column named `name`, or -1.
    int column_index(const std::string& name) const;
};

}  // namespace dlctl
