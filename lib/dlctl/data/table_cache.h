#pragma once

#include <filesystem>
#include <string>

#include "dlctl/data/csv_reader.h"

namespace dlctl {

/// Where and whether parsed tables are cached.
struct TableCacheOptions {
    bool enabled = true;
    std::filesystem::path dir;  ///< empty: $DLCTL_CACHE_DIR, else $XDG_CACHE_HOME/dlctl, else
                                ///< ~/.cache/dlctl
    std::uintmax_t min_bytes = 1u << 20;  ///< smaller files are parsed every time
};

/// read_csv with a binary cache of the parsed table, so repeated runs on one CSV (a sweep) skip
/// parsing. There is one entry per absolute path and parsing options, valid for the file's
/// size, modification time and a crc32 of its first, middle and last MiB, and carrying a crc32
/// of its own bytes; a changed file replaces its entry. A stale, truncated or corrupt entry is
/// never used: the file is parsed again and the entry rewritten (atomically). Failing to write the
/// cache only logs a warning.
Table read_csv_cached(const std::filesystem::path& path,
                      const CsvOptions& options,
                      const TableCacheOptions& cache);

/// The cache directory `options` resolve to.
std::filesystem::path table_cache_dir(const TableCacheOptions& options);

}  // namespace dlctl
