#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace dlctl {

/// Appends one row per epoch to metrics.csv, flushed after each row so a crashed or interrupted
/// run keeps every finished epoch. Numbers use the shortest text that reads back exactly. The file
/// must not exist yet (IoError otherwise).
class MetricsCsvWriter {
  public:
    MetricsCsvWriter(const std::filesystem::path& path, std::vector<std::string> columns);
    ~MetricsCsvWriter();
    MetricsCsvWriter(const MetricsCsvWriter&) = delete;
    MetricsCsvWriter& operator=(const MetricsCsvWriter&) = delete;

    /// `values` in the order of the columns given at construction.
    void write_row(const std::vector<double>& values);

  private:
    std::filesystem::path path_;
    std::size_t width_;
    std::FILE* file_ = nullptr;
};

}  // namespace dlctl
