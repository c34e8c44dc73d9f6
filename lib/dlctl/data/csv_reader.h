#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "dlctl/data/table.h"

namespace dlctl {

struct CsvOptions {
    char delimiter = ',';  ///< '\0': sniff from the first line (',', ';', tab or '|')
    bool header = true;    ///< false: the first line is data; columns are col0, col1, ...
};

/// Reads a numeric CSV file. Handles CRLF line ends, a UTF-8 byte-order mark, quoted fields and
/// blank lines. Throws DataError naming file:line and column for a missing or unreadable file, an
/// empty file, a header without rows, duplicate or non-UTF-8 column names, a row with the wrong
/// number of fields, a cell that is not a finite number, or a line over 16 MiB.
Table read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

/// As read_csv, from text in memory; `name` stands for the file in messages.
Table read_csv_text(const std::string& name, std::string_view text, const CsvOptions& options = {});

}  // namespace dlctl
