#include "dlctl/io/scratch_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "dlctl/core/error.h"

namespace dlctl {

ScratchFile::ScratchFile(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        throw IoError(
            "cannot create scratch file '" + path_.string() + "': " + std::strerror(errno),
            "point data.cache_dir (or DLCTL_CACHE_DIR) at a writable disk with room");
    }
    ::unlink(path_.c_str());
}

ScratchFile::ScratchFile(ScratchFile&& other) noexcept { *this = std::move(other); }

ScratchFile& ScratchFile::operator=(ScratchFile&& other) noexcept {
    std::swap(path_, other.path_);
    std::swap(fd_, other.fd_);
    return *this;
}

ScratchFile::~ScratchFile() {
    if (fd_ >= 0) ::close(fd_);
}

void ScratchFile::write(std::uint64_t offset, const void* data, std::size_t bytes) {
    const char* from = static_cast<const char*>(data);
    while (bytes > 0) {
        const ssize_t done = ::pwrite(fd_, from, bytes, static_cast<off_t>(offset));
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) {
            throw IoError("cannot write scratch file '" + path_.string() +
                              "': " + std::strerror(done < 0 ? errno : ENOSPC),
                          "free disk space where data.cache_dir (or DLCTL_CACHE_DIR) points, or "
                          "point it at a larger disk");
        }
        from += done;
        offset += static_cast<std::uint64_t>(done);
        bytes -= static_cast<std::size_t>(done);
    }
}

void ScratchFile::read(std::uint64_t offset, void* data, std::size_t bytes) const {
    char* into = static_cast<char*>(data);
    while (bytes > 0) {
        const ssize_t done = ::pread(fd_, into, bytes, static_cast<off_t>(offset));
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) {
            throw IoError("cannot read scratch file '" + path_.string() +
                          "': " + (done < 0 ? std::strerror(errno) : "it is shorter than written"));
        }
        into += done;
        offset += static_cast<std::uint64_t>(done);
        bytes -= static_cast<std::size_t>(done);
    }
}

}  // namespace dlctl
