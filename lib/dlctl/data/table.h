#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <memory_resource>
#include <string>
#include <vector>

namespace dlctl {

enum class ColumnType : std::uint8_t {
    kNumeric,      ///< numbers
    kBoolean,      ///< true/false, yes/no, t/f, y/n (any case), stored as 1/0
    kCategorical,  ///< any other text, stored as an index into the column's categories
};

const char* to_string(ColumnType type);

/// One column's cells. Columns of a table read by the parallel CSV reader live in memory that
/// the table owns (Table::column_memory): copy a column to keep it beyond its table.
using Column = std::pmr::vector<float>;

/// Reads a table's column `c` when it is needed (out of core: one column in memory at a time).
using ColumnLoader = std::function<const Column&(int c)>;

/// A parsed CSV file, stored column by column as float32: numbers, 1/0 for booleans, category
/// indices for categorical columns. Missing cells (data.na_values) are NaN.
struct Table {
    std::string source;              ///< file the table was read from
    std::vector<std::string> names;  ///< column names, unique
    std::vector<ColumnType> types;   ///< per column; empty: all numeric
    std::vector<Column> columns;     ///< columns[c][row]
    /// Where `columns` may have been allocated; null when they use the default allocator.
    /// Declared after them, so that assignments replace the columns before the memory they
    /// were in; the destructor releases the columns first.
    std::shared_ptr<std::pmr::memory_resource> column_memory;
    /// Categorical columns: the distinct values in order of first appearance (index = stored
    /// value); empty for other columns.
    std::vector<std::vector<std::string>> categories;
    std::vector<std::uint32_t> lines;  ///< 1-based file line of each row, for messages

    Table() = default;
    Table(const Table&) = default;
    Table(Table&&) noexcept = default;
    Table& operator=(const Table&) = default;
    Table& operator=(Table&&) noexcept = default;
    ~Table() { columns.clear(); }

    std::size_t rows() const { return lines.size(); }
    ColumnType type(std::size_t column) const {
        return types.empty() ? ColumnType::kNumeric : types[column];
    }
    /// Index of the column named `name`, or -1.
    int column_index(const std::string& name) const;
    /// A cell as text: the category, "true"/"false", the number ("{}" formatting) or "" when
    /// missing.
    std::string text(std::size_t column, std::size_t row) const;
};

}  // namespace dlctl
