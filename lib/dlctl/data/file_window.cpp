#include "dlctl/data/file_window.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

/// A mapping the SIGBUS handler may repair; fixed storage, read by the handler without locks.
struct GuardedRange {
    std::atomic<bool> used{false};
    std::atomic<std::uintptr_t> begin{0}, end{0};
    std::atomic<bool> cut{false};
};
constexpr int kGuardedRanges = 16;
std::array<GuardedRange, kGuardedRanges> g_ranges;
std::uintptr_t g_page = 4096;
struct sigaction g_previous_bus {};

/// A fault inside a guarded mapping means its file was cut short: a page of zeros takes the
/// missing page's place and the reader goes on; any other SIGBUS gets the previous action.
void on_sigbus(int, siginfo_t* info, void*) {
    const auto at = reinterpret_cast<std::uintptr_t>(info->si_addr);
    for (GuardedRange& range : g_ranges) {
        if (at >= range.begin.load() && at < range.end.load()) {
            void* page = reinterpret_cast<void*>(at & ~(g_page - 1));
            if (::mmap(page, g_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
                MAP_FAILED) {
                range.cut.store(true);
                return;
            }
        }
    }
    sigaction(SIGBUS, &g_previous_bus, nullptr);  // the fault repeats under the old action
}

void install_sigbus_handler() {
    g_page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &g_previous_bus);
}

int claim_range() {
    static std::once_flag installed;
    std::call_once(installed, install_sigbus_handler);
    for (int i = 0; i < kGuardedRanges; ++i) {
        bool expected = false;
        if (g_ranges[i].used.compare_exchange_strong(expected, true)) {
            g_ranges[i].cut.store(false);
            return i;
        }
    }
    return -1;
}

}  // namespace

FileWindow::~FileWindow() {
    unmap();
    if (fd_ >= 0) ::close(fd_);
    if (slot_ >= 0) g_ranges[slot_].used.store(false);
}

bool FileWindow::cut() const { return slot_ >= 0 && g_ranges[slot_].cut.load(); }

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
    if (slot_ < 0) slot_ = claim_range();
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
    if (slot_ >= 0) {
        g_ranges[slot_].begin.store(reinterpret_cast<std::uintptr_t>(p));
        g_ranges[slot_].end.store(reinterpret_cast<std::uintptr_t>(p) + mapped_);
    }
    return {static_cast<const char*>(p) + skip, length};
}

void FileWindow::unmap() {
    if (slot_ >= 0) {
        g_ranges[slot_].end.store(0);
        g_ranges[slot_].begin.store(0);
    }
    if (mapping_ != nullptr) ::munmap(mapping_, mapped_);
    mapping_ = nullptr;
    mapped_ = 0;
}

void open_data_file(FileWindow& file, const std::filesystem::path& path) {
    if (!file.open(path)) {
        throw DataError("cannot open data file '" + path.string() + "'",
                        "check the path (data.path) and its permissions");
    }
}

}  // namespace dlctl
