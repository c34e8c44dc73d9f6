#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "dlctl/io/temporary_files.h"

namespace dlctl {

/// Writes `content` to `path` so that readers see either the old file or the complete new one:
/// a temporary file in the same directory is written, fsync'ed and renamed over `path`. A
/// replaced file keeps its permission bits; a symbolic link stays a link, and the file it
/// points to is replaced. Throws IoError naming the path on failure, leaving any existing file
/// untouched.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);
/// The same for a file made of `pieces` one after another, written without joining them.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::string_view> pieces);

/// Makes `path` a second name of the complete file `existing` (a hard link; a copy where the file
/// system has none), with the same guarantee: readers see the old `path` or the new one. Later
/// write_file_atomic calls on either name replace that name only. Throws IoError on failure.
void link_file_atomic(const std::filesystem::path& existing, const std::filesystem::path& path);

/// A new file written under a temporary name next to `path` and renamed over it by commit(), so
/// readers see the old file or the complete new one (as write_file_atomic: modes and symbolic
/// links are kept). Destroyed without commit() (after an error),
/// it removes the temporary file. Methods throw IoError naming the file.
class AtomicFileWriter {
  public:
    /// Size and alignment of the blocks of a direct write.
    static constexpr std::size_t kBlock = 4096;

    /// `direct` asks to bypass the page cache (O_DIRECT) where the file system allows it; then
    /// each write_at must be whole blocks, at a block offset, from a block-aligned buffer.
    AtomicFileWriter(const std::filesystem::path& path, bool direct);
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
    ~AtomicFileWriter();

    void write_at(std::uint64_t offset, std::string_view bytes);
    /// Whether writes still bypass the page cache (a refused direct write turns them cached).
    bool direct() const { return direct_; }
    /// Cuts the file to `size` bytes, flushes it to disk and renames it over the path.
    void commit(std::uint64_t size);

  private:
    std::filesystem::path path_;
    std::filesystem::path temp_;
    TemporaryFileGuard temp_guard_;  ///< a fatal signal removes temp_
    int fd_ = -1;
    bool direct_ = false;
};

}  // namespace dlctl
