#include "dlctl/data/file_window.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dlctl/core/error.h"

namespace dlctl {

FileWindow::~FileWindow() {
    unmap();
    if (fd_ >= 0) ::close(fd_);
}

bool FileWindow::open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        return false;
    }
    if (fd_ >= 0) ::close(fd_);
    unmap();
    fd_ = fd;
    path_ = path.string();
    size_ = static_cast<std::uint64_t>(info.st_size);
    return true;
}

std::string_view FileWindow::view(std::uint64_t offset, std::size_t length) {
    unmap();
    if (offset >= size_) return {};
    length = static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset));
    if (length == 0) return {};
    static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    const std::uint64_t start = offset / page * page;
    const auto skip = static_cast<std::size_t>(offset - start);
    // Pages are mapped as the readers first touch them, on their threads, in parallel.
    void* p =
        ::mmap(nullptr, skip + length, PROT_READ, MAP_PRIVATE, fd_, static_cast<off_t>(start));
    if (p == MAP_FAILED) {
        throw IoError("cannot map " + std::to_string(length) + " bytes of '" + path_ +
                      "' into memory: " + std::strerror(errno));
    }
    mapping_ = p;
    mapped_ = skip + length;
    return {static_cast<const char*>(p) + skip, length};
}

void FileWindow::unmap() {
    if (mapping_ != nullptr) ::munmap(mapping_, mapped_);
    mapping_ = nullptr;
    mapped_ = 0;
}

}  // namespace dlctl
