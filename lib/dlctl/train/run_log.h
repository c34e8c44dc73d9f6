#pragma once

#include <filesystem>
#include <memory>

namespace spdlog::sinks {
class sink;
}

namespace dlctl {

/// Adds a log file (a run's train.log, appended to) to the default logger for the lifetime of
/// this object. It records info and above whatever the console shows (-q, -v).
class RunLog {
  public:
    /// IoError naming `path` when it cannot be opened.
    explicit RunLog(const std::filesystem::path& path);
    ~RunLog();
    RunLog(const RunLog&) = delete;
    RunLog& operator=(const RunLog&) = delete;

  private:
    std::shared_ptr<spdlog::sinks::sink> sink_;
};

}  // namespace dlctl
