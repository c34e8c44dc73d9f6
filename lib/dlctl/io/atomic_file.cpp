#include "dlctl/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

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
    const std::filesystem::path temp = temporary_name(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("create", temp, errno);
    for (const std::string_view piece : pieces) {
        std::size_t written = 0;
        while (written < piece.size()) {
            const ssize_t n = ::write(fd, piece.data() + written, piece.size() - written);
            if (n < 0) {
                if (errno == EINTR) continue;
                const int error = errno;
                ::close(fd);
                ::unlink(temp.c_str());
                fail("write", temp, error);
            }
            written += static_cast<std::size_t>(n);
        }
    }
    const int sync_error = ::fsync(fd) != 0 ? errno : 0;
    const int close_error = ::close(fd) != 0 ? errno : 0;
    if (sync_error != 0 || close_error != 0) {
        ::unlink(temp.c_str());
        fail("flush", temp, sync_error != 0 ? sync_error : close_error);
    }
    replace_with(temp, path);
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

}  // namespace dlctl
