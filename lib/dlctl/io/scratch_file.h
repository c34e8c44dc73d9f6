#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace dlctl {

/// A file of intermediate data that lives exactly as long as this object: it is created and at
/// once unlinked, so that no exit (an exception, a signal, a kill) can leave it behind, and its
/// space returns to the disk when the object (or the process) closes it. Reads and writes go to
/// explicit offsets, so the data sits in the page cache and on disk, not in this process.
class ScratchFile {
  public:
    ScratchFile() = default;
    /// Creates and unlinks a file named `path`; throws IoError saying why it cannot.
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

  private:
    std::filesystem::path path_;  ///< for messages: the name it had
    int fd_ = -1;
};

}  // namespace dlctl
