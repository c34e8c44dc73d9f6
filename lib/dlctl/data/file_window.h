#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace dlctl {

/// A read-only file seen through one mapped part at a time: reading a large file this way costs
/// no copy, and only the current part counts towards the process's memory. A file cut short by
/// another process while it is mapped would kill the reader with SIGBUS; here the missing pages
/// read as zeros instead and cut() says so, for the caller to report.
class FileWindow {
  public:
    FileWindow() = default;
    FileWindow(const FileWindow&) = delete;
    FileWindow& operator=(const FileWindow&) = delete;
    ~FileWindow();

    /// False when `path` cannot be opened or mapped (a pipe, a directory, no permission).
    bool open(const std::filesystem::path& path);
    std::uint64_t size() const { return size_; }
    /// Bytes [offset, offset + length) of the file, clipped to its end; valid until the next
    /// call. The previous part is unmapped. Throws IoError when the part cannot be mapped.
    std::string_view view(std::uint64_t offset, std::size_t length);
    /// Whether a mapped part lost pages because the file became shorter while it was read.
    bool cut() const;

  private:
    void unmap();

    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
    void* mapping_ = nullptr;
    std::size_t mapped_ = 0;
    int slot_ = -1;  ///< where the SIGBUS handler finds the mapping; -1: unguarded
};

/// Opens the data file `path` in `file`; DataError naming it (and data.path) when it cannot be.
void open_data_file(FileWindow& file, const std::filesystem::path& path);

}  // namespace dlctl
