#pragma once

#include <filesystem>

namespace dlctl {

/// Temporary files that a SIGINT, SIGTERM or SIGHUP which ends the process removes first, so an
/// interrupted `predict -o` or checkpoint write leaves no `FILE.tmp-PID` behind. The first
/// registration installs the handler for each of those signals still at its default action;
/// after removing the files it ends the process by the signal, as the default would.
class TemporaryFileGuard {
  public:
    explicit TemporaryFileGuard(const std::filesystem::path& path);
    TemporaryFileGuard(const TemporaryFileGuard&) = delete;
    TemporaryFileGuard& operator=(const TemporaryFileGuard&) = delete;
    /// Stops watching the file (it was renamed or removed).
    ~TemporaryFileGuard();

  private:
    int slot_ = -1;  ///< -1: too many at once, or the path too long; then it is not watched
};

}  // namespace dlctl
