#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/data/csv_rows.h"
#include "dlctl/data/table.h"

namespace dlctl {

/// Named columns of a CSV read in chunks of rows: `numeric` columns parsed as numbers into a
/// Table, `text` columns (ids to pass through) kept as written; other columns are not parsed.
/// Memory is bounded by the chunk size, so files larger than memory stream through.
class CsvColumnChunks {
  public:
    /// Throws DataError listing every wanted column the file lacks. `skip_bad_rows`: a row with
    /// a value that is not a number is skipped and counted instead of being an error.
    CsvColumnChunks(CsvRowReader reader,
                    std::vector<std::string> numeric,
                    std::vector<std::string> text,
                    bool skip_bad_rows);

    /// Replaces `table` (columns named as `numeric`, with file lines) and `text` (one vector
    /// of text cells per row) with up to `max_rows` further rows; false when none remain.
    bool next(std::int64_t max_rows, Table& table, std::vector<std::vector<std::string>>& text);

    std::int64_t skipped_rows() const { return skipped_; }
    /// The file's columns that are neither numeric nor text.
    std::vector<std::string> unused_columns() const;

  private:
    CsvRowReader reader_;
    std::vector<std::string> numeric_names_, text_names_;
    std::vector<int> numeric_, text_;  ///< field index of each wanted column
    bool skip_bad_rows_;
    std::int64_t skipped_ = 0;
    std::vector<std::string_view> fields_;
    std::vector<float> row_;
};

}  // namespace dlctl
