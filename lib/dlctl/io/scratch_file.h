#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace dlctl {

class TemporaryFileGuard;

/// A file of intermediate data that lives as long as this object: created (replacing any file
/// of that name) and deleted by the destructor, or by a signal that ends the process. Reads and
/// writes go to explicit offsets, so the data stays in the page cache and on disk, not in this
/// process's memory.
class ScratchFile {
  public:
    ScratchFile();
    /// Creates `path`; throws IoError saying why it cannot.
    explicit ScratchFile(std::filesystem::path path);
    ScratchFile(ScratchFile&& other) noexcept;
    ScratchFile& operator=(ScratchFile&& other) noexcept;
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    ~ScratchFile();

    /// `bytes` bytes at `offset`; throws IoError (for example when the disk is full).
    void write(std::uint64_t offset, const void* data, std::size_t bytes);
    /// `bytes` bytes from `offset`; throws IoError when the file holds fewer.
    void read(std::uint64_t offset, void* data, std::size_t bytes) const;
    const std::filesystem::path& path() const { return path_; }

  private:
    void close();

    std::filesystem::path path_;
    int fd_ = -1;
    std::unique_ptr<TemporaryFileGuard> guard_;
};

}  // namespace dlctl
