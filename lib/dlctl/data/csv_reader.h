#pragma once

#include <filesystem>

#include "dlctl/data/table.h"

namespace dlctl {

struct CsvOptions {
    char delimiter = ',';
};

/// Reads a numeric CSV file with a header row. Handles CRLF line ends, a UTF-8 byte-order mark,
/// quoted fields and blank lines. Throws DataError naming file:line and column for a missing or
/// unreadable file, an empty file, a header without rows, duplicate column names, a row with the
/// wrong number of fields, or a cell that is not a finite number.
Table read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

}  // namespace dlctl
