#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dlctl {

/// One metrics.csv line: the cells joined by commas, and a newline.
std::string metrics_csv_line(const std::vector<std::string>& cells);

/// The rows of the metrics.csv at `path` when it has the header `columns` and at least `rows`
/// rows: the first `rows` of them; nullopt when it cannot be read or differs.
std::optional<std::vector<std::vector<std::string>>> read_metrics_csv(
    const std::filesystem::path& path, const std::vector<std::string>& columns, std::uint64_t rows);

/// Appends one row per epoch to metrics.csv, flushed after each row so a crashed or interrupted
/// run keeps every finished epoch.
class MetricsCsvWriter {
  public:
    /// Starts the file with the header and `earlier_rows` (a resumed run's epochs). The file
    /// must not exist yet (IoError otherwise) unless `replace`, when the header and earlier rows
    /// atomically replace it (a run resumed in its own directory).
    MetricsCsvWriter(const std::filesystem::path& path,
                     std::vector<std::string> columns,
                     const std::vector<std::vector<std::string>>& earlier_rows = {},
                     bool replace = false);
    ~MetricsCsvWriter();
    MetricsCsvWriter(const MetricsCsvWriter&) = delete;
    MetricsCsvWriter& operator=(const MetricsCsvWriter&) = delete;

    /// `cells` in the order of the columns given at construction, already formatted (format
    /// numbers with "{}" for the shortest exact text; empty for a missing value).
    void write_row(const std::vector<std::string>& cells);

  private:
    std::filesystem::path path_;
    std::size_t width_;
    std::FILE* file_ = nullptr;
};

}  // namespace dlctl
