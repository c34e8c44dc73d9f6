#include "dlctl/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error) {
    throw IoError("cannot " + what + " '" + path.string() + "': " + std::strerror(error));
}

std::filesystem::path temporary_name(const std::filesystem::path& path) {
    std::filesystem::path temp = path;
    temp += ".tmp-" + std::to_string(::getpid());
    return temp;
}

/// The file a write to `path` replaces: `path`, or the file its symbolic link points to (the
/// link stays a link).
std::filesystem::path file_behind(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) return path;
    const std::filesystem::path target = std::filesystem::weakly_canonical(path, ec);
    return ec ? path : target;
}

void replace_with(const std::filesystem::path& temp, const std::filesystem::path& path) {
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temp.c_str());
        fail("replace", path, error);
    }
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view content) {
    write_file_atomic(path, std::span<const std::string_view>(&content, 1));
}

void write_file_atomic(const std::filesystem::path& path,
                       std::span<const std::string_view> pieces) {
    AtomicFileWriter file(path, false);
    std::uint64_t offset = 0;
    for (const std::string_view piece : pieces) {
        file.write_at(offset, piece);
        offset += piece.size();
    }
    file.commit(offset);
}

void link_file_atomic(const std::filesystem::path& existing, const std::filesystem::path& path) {
    const std::filesystem::path temp = temporary_name(path);
    ::unlink(temp.c_str());  // a leftover of a killed run with the same pid
    if (::link(existing.c_str(), temp.c_str()) != 0) {
        const int link_error = errno;
        // Only a file system without (more) hard links falls back to a synced copy.
        if (link_error != EPERM && link_error != EXDEV && link_error != EMLINK &&
            link_error != EOPNOTSUPP) {
            fail("link '" + existing.string() + "' as", temp, link_error);
        }
        std::error_code ec;
        std::filesystem::copy_file(existing, temp, ec);
        int error = ec.value();
        if (!ec) {
            const int fd = ::open(temp.c_str(), O_WRONLY | O_CLOEXEC);
            if (fd < 0 || ::fsync(fd) != 0) error = errno;
            if (fd >= 0) ::close(fd);
        }
        if (error != 0) {
            ::unlink(temp.c_str());
            fail("copy '" + existing.string() + "' to", temp, error);
        }
    }
    replace_with(temp, path);
    ::unlink(temp.c_str());  // rename does nothing when both names already are this one file
}

AtomicFileWriter::AtomicFileWriter(const std::filesystem::path& path, bool direct)
    : path_(file_behind(path)), temp_(temporary_name(path_)), temp_guard_(temp_) {
    const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    if (direct) {
        fd_ = ::open(temp_.c_str(), flags | O_DIRECT, 0666);
        direct_ = fd_ >= 0;  // a file system without O_DIRECT refuses it (EINVAL): write cached
    }
    if (fd_ < 0) fd_ = ::open(temp_.c_str(), flags, 0666);
    if (fd_ < 0) fail("create", temp_, errno);
    struct stat replaced {};
    if (::stat(path_.c_str(), &replaced) == 0 && ::fchmod(fd_, replaced.st_mode & 07777) != 0) {
        const int error = errno;
        ::close(fd_);
        ::unlink(temp_.c_str());
        fail("set the mode of", temp_, error);
    }
}

AtomicFileWriter::~AtomicFileWriter() {
    if (fd_ < 0) return;
    ::close(fd_);
    ::unlink(temp_.c_str());
}

void AtomicFileWriter::write_at(std::uint64_t offset, std::string_view bytes) {
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::pwrite(fd_, bytes.data() + written, bytes.size() - written,
                                   static_cast<off_t>(offset + written));
        if (n > 0) {
            written += static_cast<std::size_t>(n);
        } else if (n == 0) {
            fail("write", temp_, EIO);  // no progress: not expected of a regular file
        } else if (errno == EINVAL && direct_) {
            // Some file systems open with O_DIRECT and refuse the write (or this one's
            // alignment); EINVAL comes before any transfer, so write the same bytes cached.
            direct_ = false;
            const int flags = ::fcntl(fd_, F_GETFL);
            if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) {
                fail("write", temp_, errno);
            }
        } else if (errno != EINTR) {
            fail("write", temp_, errno);
        }
    }
}

void AtomicFileWriter::commit(std::uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("write", temp_, errno);
    const int sync_error = ::fsync(fd_) != 0 ? errno : 0;
    const int close_error = ::close(fd_) != 0 ? errno : 0;
    fd_ = -1;
    if (sync_error != 0 || close_error != 0) {
        ::unlink(temp_.c_str());
        fail("flush", temp_, sync_error != 0 ? sync_error : close_error);
    }
    replace_with(temp_, path_);
}

}  // namespace dlctl
