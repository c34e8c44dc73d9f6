#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace dlctl {

/// Process exit codes; documented in README.md ("Exit codes"). Scripts rely on them.
enum class ExitCode : int {
    kOk = 0,
    kInternal = 1,       ///< a bug in dlctl
    kUsage = 2,          ///< bad command line or experiment spec
    kData = 3,           ///< unreadable or invalid CSV data
    kIo = 4,             ///< files, run directories, checkpoints
    kDevice = 5,         ///< device not available or device failure
    kDiverged = 6,       ///< training produced a non-finite loss
    kUnsupported = 7,    ///< a feature that exists in the CLI but is not implemented yet
    kInterrupted = 130,  ///< stopped by Ctrl-C (outputs were still written)
    kTerminated = 143,   ///< stopped by SIGTERM, e.g. Slurm (outputs were still written)
};

/// Base of every error dlctl reports to the user. `what()` is the message; `hint()` says what
/// to do about it (may be empty).
class Error : public std::runtime_error {
  public:
    Error(ExitCode code, const std::string& message, std::string hint = {})
        : std::runtime_error(message), code_(code), hint_(std::move(hint)) {}

    ExitCode code() const { return code_; }
    const std::string& hint() const { return hint_; }

  private:
    ExitCode code_;
    std::string hint_;
};

/// One or more problems in an experiment spec, each already prefixed with its location
/// (`file:line:col: key.path: ...`). All problems of a spec are reported together.
class SpecError : public Error {
  public:
    explicit SpecError(std::vector<std::string> problems, std::string hint = {});
    const std::vector<std::string>& problems() const { return problems_; }

  private:
    std::vector<std::string> problems_;
};

class UsageError : public Error {
  public:
    explicit UsageError(const std::string& message, std::string hint = {})
        : Error(ExitCode::kUsage, message, std::move(hint)) {}
};

class DataError : public Error {
  public:
    explicit DataError(const std::string& message, std::string hint = {})
        : Error(ExitCode::kData, message, std::move(hint)) {}
};

class IoError : public Error {
  public:
    explicit IoError(const std::string& message, std::string hint = {})
        : Error(ExitCode::kIo, message, std::move(hint)) {}
};

class DeviceError : public Error {
  public:
    explicit DeviceError(const std::string& message, std::string hint = {})
        : Error(ExitCode::kDevice, message, std::move(hint)) {}
};

class DivergedError : public Error {
  public:
    explicit DivergedError(const std::string& message, std::string hint = {})
        : Error(ExitCode::kDiverged, message, std::move(hint)) {}
};

class UnsupportedError : public Error {
  public:
    explicit UnsupportedError(const std::string& what_is_missing, std::string hint = {})
        : Error(ExitCode::kUnsupported, "not yet supported: " + what_is_missing, std::move(hint)) {}
};

/// A violated internal invariant (a dlctl bug, never a user error).
class InternalError : public Error {
  public:
    InternalError(const char* file, int line, const std::string& condition);
};

/// Throws the Error subclass of `code` (UsageError for kUsage, DataError for kData, IoError for
/// kIo, else Error), so callers that catch a subclass see it.
[[noreturn]] void throw_error(ExitCode code, const std::string& message, std::string hint = {});

}  // namespace dlctl

#define DLCTL_CHECK(condition)                                                          \
    do {                                                                                \
        if (!(condition)) throw ::dlctl::InternalError(__FILE__, __LINE__, #condition); \
    } while (false)
