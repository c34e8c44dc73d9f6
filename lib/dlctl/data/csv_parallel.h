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

/// Receives a file's rows a window at a time: a table of the window's rows (lines as in the
/// file) whose categories are numbered across the whole file so far, valid during the call, and
/// how many of the file's bytes have been read.
using CsvWindowSink = std::function<void(const Table& window, std::uint64_t bytes_read)>;

/// Reads `path` front to back in windows of about `window_bytes`, for data larger than memory:
/// only one window's rows are held at a time. Every column's type must be given: columns
/// declared categorical are read as text, all others as numbers (a column declared boolean is
/// a bug here). Throws DataError naming file:line for a cell of a numeric column that is not a
/// number or a quoted field that goes on over a newline, and read_csv's errors (ragged rows, a
/// file without rows, ...).
void stream_csv(const std::filesystem::path& path,
                const CsvOptions& options,
                std::size_t window_bytes,
                const CsvWindowSink& sink,
                int threads = 0);

/// As stream_csv, from text in memory; `name` stands for the file in messages.
void stream_csv_text(const std::string& name,
                     std::string_view text,
                     const CsvOptions& options,
                     std::size_t window_bytes,
                     const CsvWindowSink& sink,
                     int threads = 0);

}  // namespace dlctl
