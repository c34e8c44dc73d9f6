#pragma once

#include <filesystem>

namespace dlctl {

/// Creates the directory a run writes into and claims it by creating its `train.log`
/// exclusively, so two runs can never share a directory. Returns the directory.
/// - `requested` non-empty: exactly that directory, created with its parents; an IoError if it
///   exists and is not empty, so no earlier file is ever overwritten.
/// - otherwise a new `<parent>/<YYYYmmdd-HHMMSS>` (suffixed -2, -3, ... when taken).
std::filesystem::path create_run_dir(const std::filesystem::path& parent,
                                     const std::filesystem::path& requested);

/// An existing run directory that a resumed run continues in: it must hold the train.log of an
/// earlier run (IoError otherwise), which the new run appends to.
std::filesystem::path reuse_run_dir(const std::filesystem::path& dir);

/// Whether a dlctl train holds the lock on `dir` now (see RunDirLock): the run is going on.
bool run_dir_in_use(const std::filesystem::path& dir);

/// An exclusive advisory lock (flock) on a run directory's train.log, held while the object
/// lives: one dlctl train at a time writes a run directory. The system drops it when the
/// process ends, however it ends.
class RunDirLock {
  public:
    /// Throws IoError when another process holds the directory, or train.log cannot be opened.
    explicit RunDirLock(const std::filesystem::path& dir);
    RunDirLock(const RunDirLock&) = delete;
    RunDirLock& operator=(const RunDirLock&) = delete;
    ~RunDirLock();

  private:
    int fd_ = -1;
};

}  // namespace dlctl
