#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dlctl/data/csv_rows.h"
#include "dlctl/data/table.h"

namespace dlctl {

/// How one model reads a CSV: the columns it needs with the types it was trained with, and the
/// cells it takes as missing.
struct TableSchema {
    std::vector<std::pair<std::string, ColumnType>> columns;
    std::vector<std::string> na_values;

    bool operator==(const TableSchema&) const = default;
};

/// What becomes of a row with a cell its column's type does not accept.
enum class BadRows {
    kError,  ///< a DataError naming file:line and the column
    kSkip,   ///< left out of the tables, counted
    kKeep,   ///< kept with every cell missing (NaN) and listed in bad_rows(), counted
};

/// Named columns of a CSV read in chunks of rows, into one Table per schema (members of an
/// ensemble may read a column differently): typed columns parsed (numbers, boolean words as
/// 1/0, categories; the schema's na_values as missing), `text` columns (ids to pass through)
/// kept as written; other columns are not parsed. Memory is bounded by the chunk size, so files
/// larger than memory stream through.
class CsvColumnChunks {
  public:
    /// Throws DataError listing every wanted column the file lacks.
    CsvColumnChunks(CsvRowReader reader,
                    std::vector<TableSchema> schemas,
                    std::vector<std::string> text,
                    BadRows bad_rows);

    /// Replaces `tables` (one per schema, the same rows with file lines) and `text` (one vector
    /// of text cells per row) with up to `max_rows` further rows; false when none remain.
    bool next(std::int64_t max_rows,
              std::vector<Table>& tables,
              std::vector<std::vector<std::string>>& text);

    /// BadRows::kKeep: the rows of the last chunk that were kept with missing cells.
    const std::vector<std::uint32_t>& bad_rows() const { return bad_rows_; }
    /// Rows skipped or kept as bad so far.
    std::int64_t rejected_rows() const { return rejected_; }
    /// The file's columns that no schema reads and that are not text.
    std::vector<std::string> unused_columns() const;

  private:
    /// A schema's column: its field in the file and its type.
    struct Wanted {
        int field;
        ColumnType type;
    };
    /// The current row's cells into `row` (per schema, per column), new categories into
    /// `tables`; false for a cell its column does not accept (unless BadRows::kError throws).
    bool parse_row(std::vector<Table>& tables, std::vector<std::vector<float>>& row);
    [[noreturn]] void refuse_cell(std::size_t schema, std::size_t column, std::string_view cell);

    CsvRowReader reader_;
    std::vector<TableSchema> schemas_;
    std::vector<std::vector<Wanted>> wanted_;  ///< per schema, per column
    std::vector<std::string> text_names_;
    std::vector<int> text_;  ///< field index of each text column
    BadRows bad_row_policy_;
    std::vector<std::uint32_t> bad_rows_;
    std::int64_t rejected_ = 0;
    std::vector<std::string_view> fields_;
    /// Per schema and column: the chunk's category codes of text cells.
    std::vector<std::vector<std::unordered_map<std::string, float>>> dictionaries_;
};

}  // namespace dlctl
