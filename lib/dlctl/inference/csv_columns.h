#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/data/csv_rows.h"
#include "dlctl/data/table.h"

namespace dlctl {

/// Named columns of a CSV read in chunks of rows: `typed` columns parsed into a Table (numbers,
/// boolean words as 1/0, categories; `na_values` cells as missing), `text` columns (ids to pass
/// through) kept as written; other columns are not parsed. Memory is bounded by the chunk size,
/// so files larger than memory stream through.
class CsvColumnChunks {
  public:
    /// Throws DataError listing every wanted column the file lacks. `skip_bad_rows`: a row with
    /// a value its column's type does not accept is skipped and counted instead of an error.
    CsvColumnChunks(CsvRowReader reader,
                    std::vector<std::pair<std::string, ColumnType>> typed,
                    std::vector<std::string> text,
                    std::vector<std::string> na_values,
                    bool skip_bad_rows);

    /// Replaces `table` (the typed columns, with file lines) and `text` (one vector of text
    /// cells per row) with up to `max_rows` further rows; false when none remain.
    bool next(std::int64_t max_rows, Table& table, std::vector<std::vector<std::string>>& text);

    std::int64_t skipped_rows() const { return skipped_; }
    /// The file's columns that are neither numeric nor text.
    std::vector<std::string> unused_columns() const;

  private:
    CsvRowReader reader_;
    std::vector<std::string> numeric_names_, text_names_, na_values_;
    std::vector<ColumnType> types_;
    std::vector<int> numeric_, text_;  ///< field index of each wanted column
    bool skip_bad_rows_;
    std::int64_t skipped_ = 0;
    std::vector<std::string_view> fields_;
    std::vector<float> row_;
};

}  // namespace dlctl
