#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlctl/data/table.h"

namespace dlctl {

struct CsvOptions {
    char delimiter = ',';  ///< '\0': sniff from the first line (',', ';', tab or '|')
    bool header = true;    ///< false: the first line is data; columns are col0, col1, ...
    /// Infer each column's type: numeric when every cell is a number or missing, else boolean
    /// when every other cell is a boolean word, else categorical. false: all numeric.
    bool infer_types = false;
    /// Cells that mean "missing" (compared without surrounding blanks), read as NaN.
    std::vector<std::string> na_values;
    /// Types of columns by name, overriding inference.
    std::vector<std::pair<std::string, ColumnType>> column_types;
    /// A name in column_types that is not a column is an error (false: ignored).
    bool require_typed_columns = true;
};

/// Options for a delimiter ('\0': sniffed) and header, everything else default.
inline CsvOptions csv_format(char delimiter, bool header = true) {
    CsvOptions options;
    options.delimiter = delimiter;
    options.header = header;
    return options;
}

/// Reads a CSV file into typed columns (see CsvOptions). Handles CRLF line ends, a UTF-8
/// byte-order mark, quoted fields and blank lines. Throws DataError naming file:line and column
/// for a missing or unreadable file, an empty file, a header without rows, duplicate or
/// non-UTF-8 column names, a row with the wrong number of fields, a cell of a numeric column that
/// is not a finite number (inf and nan never are), a boolean column cell that is not a boolean
/// word, or a line over 16 MiB.
Table read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

/// As read_csv, from text in memory; `name` stands for the file in messages.
Table read_csv_text(const std::string& name, std::string_view text, const CsvOptions& options = {});

}  // namespace dlctl
