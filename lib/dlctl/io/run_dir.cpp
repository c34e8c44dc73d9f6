#include "dlctl/io/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "dlctl/core/error.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

void make_dirs(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir, ec)) {
        throw IoError("cannot create run directory '" + dir.string() +
                      "': " + (ec ? ec.message() : "a file of that name exists"));
    }
}

std::string timestamp() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
    return text;
}

/// Creates `dir/train.log`; fails if any process created it first.
void claim(const fs::path& dir) {
    const fs::path log = dir / "train.log";
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw IoError("cannot create '" + log.string() + "': " + std::strerror(errno),
                      errno == EEXIST ? "another run is using this directory; choose another" : "");
    }
    ::close(fd);
}

}  // namespace

fs::path reuse_run_dir(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / "train.log", ec)) {
        throw IoError(
            "'" + dir.string() + "' is not the directory of an earlier run (no train.log)",
            "resume in place only in a run directory dlctl train created");
    }
    return dir;
}

fs::path create_run_dir(const fs::path& parent, const fs::path& requested) {
    if (!requested.empty()) {
        std::error_code ec;
        if (fs::exists(requested, ec) && fs::is_directory(requested, ec) &&
            !fs::is_empty(requested, ec)) {
            throw IoError("run directory '" + requested.string() + "' is not empty",
                          "choose a new --run-dir, or delete that directory first");
        }
        make_dirs(requested);
        claim(requested);
        return requested;
    }
    make_dirs(parent);
    const std::string stamp = timestamp();
    for (int attempt = 1;; ++attempt) {
        const fs::path candidate =
            parent / (attempt == 1 ? stamp : stamp + "-" + std::to_string(attempt));
        std::error_code ec;
        if (fs::create_directory(candidate, ec)) {
            claim(candidate);
            return candidate;
        }
        if (ec) {
            throw IoError("cannot create run directory '" + candidate.string() +
                          "': " + ec.message());
        }
    }
}

RunDirLock::RunDirLock(const fs::path& dir) {
    const fs::path log = dir / "train.log";
    fd_ = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw IoError("cannot open '" + log.string() + "': " + std::strerror(errno));
    // `dlctl report` takes a shared lock for an instant to see whether a run is going on: try
    // again for a while before calling the directory busy.
    int rc = 0, error = 0;
    for (int attempt = 0; attempt < 50; ++attempt) {
        while ((rc = ::flock(fd_, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
        }
        error = rc == 0 ? 0 : errno;
        if (error != EWOULDBLOCK) break;
        ::usleep(2000);
    }
    if (rc != 0) {
        ::close(fd_);
        if (error == EWOULDBLOCK) {
            throw IoError("run directory '" + dir.string() +
                              "' is in use by another dlctl train (it holds the lock on train.log)",
                          "wait for that run to end, or resume another directory");
        }
        throw IoError("cannot lock '" + log.string() + "': " + std::strerror(error));
    }
}

RunDirLock::~RunDirLock() { ::close(fd_); }

bool run_dir_in_use(const fs::path& dir) {
    const int fd = ::open((dir / "train.log").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    int rc;
    while ((rc = ::flock(fd, LOCK_SH | LOCK_NB)) != 0 && errno == EINTR) {
    }
    const bool held = rc != 0 && errno == EWOULDBLOCK;
    ::close(fd);  // also drops the shared lock, if taken
    return held;
}

}  // namespace dlctl
