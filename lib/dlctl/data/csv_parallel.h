#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// A file's data rows cut into parts that can be read on their own (one per rank): part i is
/// bytes [bounds[i], bounds[i + 1]), whole lines.
struct CsvParts {
    std::vector<std::uint64_t> bounds;
    std::uint32_t first_line = 1;  ///< the line of the first data row's byte
};

/// `path`'s data rows (after the header) cut into `parts` parts of about equal bytes, each cut
/// moved to the start of a line. Every row must be one line (no quoted field over a newline).
CsvParts cut_csv(const std::filesystem::path& path, const CsvOptions& options, int parts);

/// The newlines in bytes [begin, end) of `path`: with the lines before it, where a part's
/// lines are numbered from.
std::uint64_t count_newlines(const std::filesystem::path& path,
                             std::uint64_t begin,
                             std::uint64_t end);

/// Bytes [begin, end) of a CSV file (whole lines, as cut_csv cuts them), its lines numbered from
/// `first_line`.
struct CsvPart {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    std::uint32_t first_line = 1;
};

/// The rows of `part` read into one table, as stream_csv reads (every column's type given,
/// categories numbered in order of first appearance in the part, its errors); a part without
/// rows gives a table without rows.
Table read_csv_part(const std::filesystem::path& path,
                    const CsvOptions& options,
                    const CsvPart& part,
                    int threads = 0);

}  // namespace dlctl
