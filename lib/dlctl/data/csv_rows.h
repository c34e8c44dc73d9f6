#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dlctl/data/csv_reader.h"

namespace dlctl {

/// Reads a CSV file row by row in bounded memory (fast-cpp-csv-parser's LineReader and our RFC
/// 4180 field splitter): the header first, then one data row per next(). Handles CRLF, a UTF-8
/// byte-order mark, quoted fields (newlines inside them too) and blank lines. Errors are
/// DataErrors naming file:line.
class CsvRowReader {
  public:
    /// `path` "-" reads standard input.
    static CsvRowReader open(const std::filesystem::path& path, const CsvOptions& options);
    /// Rows of `text` (which must outlive the reader); `name` stands for the file in messages.
    static CsvRowReader from_text(const std::string& name,
                                  std::string_view text,
                                  const CsvOptions& options);

    CsvRowReader(CsvRowReader&&) noexcept;
    CsvRowReader& operator=(CsvRowReader&&) noexcept;
    ~CsvRowReader();

    const std::string& source() const;
    /// Column names from the header, unique (col0, col1, ... without a header).
    const std::vector<std::string>& names() const;
    /// The next data row as exactly names().size() fields (views valid until the next call);
    /// false after the last row. Throws DataError for a quote never closed or a row with
    /// another number of fields.
    bool next(std::vector<std::string_view>& fields);
    /// 1-based file line where the row next() returned last starts.
    unsigned line() const;
    /// The field separator (given, or sniffed from the first line).
    char delimiter() const;

  private:
    struct State;
    explicit CsvRowReader(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

/// True when `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text);

}  // namespace dlctl
