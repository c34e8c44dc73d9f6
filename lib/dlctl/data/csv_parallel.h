#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dlctl/data/csv_reader.h"

namespace dlctl {

/// read_csv's fast path for files of numbers: the file is read in blocks of bounded size whose
/// lines are split and parsed on `threads` threads (0: all cores), straight into float columns.
/// Columns declared categorical are read as text. Returns nullopt when a cell of another column
/// is neither a number nor a missing-value marker, or a column is declared boolean: read_csv then
/// reads the file with type inference. Errors (ragged rows, empty files, ...) are read_csv's.
std::optional<Table> read_numeric_csv(const std::filesystem::path& path,
                                      const CsvOptions& options,
                                      int threads = 0);

/// As read_numeric_csv, from text in memory read in blocks of `block_bytes` (tests use small
/// blocks to cross block boundaries); `name` stands for the file in messages.
std::optional<Table> read_numeric_csv_text(const std::string& name,
                                           std::string_view text,
                                           const CsvOptions& options,
                                           int threads = 0,
                                           std::size_t block_bytes = 16u << 20);

}  // namespace dlctl
