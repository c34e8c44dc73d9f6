#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace dlctl {

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
