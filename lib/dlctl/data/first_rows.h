#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <vector>

#include "dlctl/data/csv_reader.h"
#include "dlctl/data/table.h"

/// Column types taken from a file's first rows, for readers that see the file a part at a time
/// (out of core, or one part per rank) and so cannot infer them from every row.
namespace dlctl {

/// The bytes of a file's first rows whose types ranks read their parts of it with.
constexpr std::size_t kFirstRowsBytes = 16u << 20;

/// The whole lines of the file's first `bytes`, read as read_csv reads a file (types inferred).
Table read_first_rows(const std::filesystem::path& csv,
                      const CsvOptions& options,
                      std::size_t bytes);

/// `options` with every column's type given: `first`'s, boolean columns read as categories (their
/// words), as stream_csv and read_csv_part read them.
CsvOptions with_types_of_rows(CsvOptions options, const Table& first);

/// Column `c` of `words` (a boolean column read as its words' categories) as 1/0 into `out`,
/// missing cells NaN. `known` caches each category's value (nullopt: not a boolean word) and
/// grows with the categories. DataError naming the line of a word that is not boolean.
void booleans_from_words(const Table& words,
                         std::size_t c,
                         std::vector<std::optional<float>>& known,
                         float* out);

}  // namespace dlctl
