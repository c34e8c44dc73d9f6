#include "dlctl/core/whole_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dlctl {

namespace {

class Descriptor {
  public:
    explicit Descriptor(int fd) : fd_(fd) {}
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

/// Appends up to `limit` bytes read from `fd` to `out`; false when reading fails (errno set).
bool read_into(int fd, std::uint64_t limit, std::string& out) {
    constexpr std::size_t kChunk = 1 << 20;
    while (out.size() < limit) {
        const std::size_t at = out.size();
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, limit - at));
        out.resize(at + want);
        const ssize_t got = ::read(fd, out.data() + at, want);
        if (got < 0 && errno == EINTR) {
            out.resize(at);
            continue;
        }
        if (got < 0) return false;
        out.resize(at + static_cast<std::size_t>(got));
        if (got == 0) break;
    }
    return true;
}

}  // namespace

std::string byte_size_text(std::uint64_t bytes) {
    if (bytes < 1000) return fmt::format("{} bytes", bytes);
    if (bytes < 1000 * 1000) return fmt::format("{:.1f} kB", static_cast<double>(bytes) / 1e3);
    if (bytes < 1000ull * 1000 * 1000) {
        return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
    }
    return fmt::format("{:.1f} GB", static_cast<double>(bytes) / 1e9);
}

std::string read_whole_file(const std::filesystem::path& path, const WholeFileRules& rules) {
    const std::string name = rules.what + " '" + path.string() + "'";
    auto refuse = [&](const std::string& problem) {
        throw_error(rules.code, name + " " + problem, rules.hint);
    };
    // Non-blocking, so that opening a FIFO without a writer does not wait for one.
    const Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
        throw_error(rules.code, "cannot open " + name + ": " + std::strerror(errno), rules.hint);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0)
        refuse(std::string("cannot be read: ") + std::strerror(errno));
    const bool regular = S_ISREG(info.st_mode);
    if (S_ISDIR(info.st_mode)) refuse("is a directory, not a file");
    if (!regular && !rules.streams_allowed) {
        refuse("is not a regular file (a pipe, device or socket); it must be a file on disk");
    }
    if (!regular) ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    const auto size = static_cast<std::uint64_t>(info.st_size);
    if (regular && size > rules.max_bytes) {
        refuse(fmt::format("is {}, more than the {} a {} may be", byte_size_text(size),
                           byte_size_text(rules.max_bytes), rules.what));
    }
    std::string bytes;
    if (regular) bytes.reserve(size);
    // One byte past the limit (or the size) tells a file that grew from one that fits.
    const std::uint64_t limit = regular ? size + 1 : rules.max_bytes + 1;
    if (!read_into(fd.get(), limit, bytes)) {
        refuse(std::string("cannot be read: ") + std::strerror(errno));
    }
    if (!regular && bytes.size() > rules.max_bytes) {
        refuse(fmt::format("holds more than the {} a {} may be", byte_size_text(rules.max_bytes),
                           rules.what));
    }
    if (regular && bytes.size() != size) {
        refuse(fmt::format("changed while it was read (it was {} bytes, then {} could be read)",
                           size, bytes.size()));
    }
    return bytes;
}

}  // namespace dlctl
