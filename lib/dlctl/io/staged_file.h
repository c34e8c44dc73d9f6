#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "dlctl/io/atomic_file.h"

namespace dlctl {

/// A new file of known size written front to back through an aligned chunk of memory, with its
/// first bytes replaced at the end (a header that depends on what follows it, like a checksum).
/// A file of kDirectFrom bytes or more bypasses the page cache, which a run training on every
/// core would pay for. Kept over one plain atomic write, which costs `wide` on 2 threads at batch
/// 256 about 10% (docs/benchmarks.md). Atomic as AtomicFileWriter; methods throw IoError.
class StagedFileWriter {
  public:
    static constexpr std::uint64_t kDirectFrom = 1u << 20;

    /// `size`: the bytes the file will have; `head`: how many of its first bytes finish() replaces.
    StagedFileWriter(const std::filesystem::path& path, std::uint64_t size, std::size_t head);

    /// Free memory for the next bytes of the file, in the current chunk: never empty. Its start
    /// is aligned as the file offset it stands for is (the chunk is block-aligned).
    std::span<char> room() { return {chunk_.get() + filled_, chunk_size_ - filled_}; }
    /// The first `n` bytes of room() now hold the next bytes of the file.
    void advance(std::size_t n);
    void append(std::string_view bytes);
    /// Writes `head` over the first head.size() bytes (at most the `head` promised), writes what
    /// is left and commits the file, which must have been given all of its `size` bytes.
    void finish(std::string_view head);
    /// Whether the file is still written direct (false for small files, and where refused).
    bool direct() const { return file_.direct(); }

  private:
    struct FreeAligned {
        void operator()(char* p) const;
    };
    using Buffer = std::unique_ptr<char, FreeAligned>;
    static Buffer allocate(std::size_t bytes);
    void flush();

    AtomicFileWriter file_;
    std::uint64_t size_;
    std::size_t head_;
    std::size_t head_rounded_;  ///< to whole blocks, all inside the first chunk
    std::size_t chunk_size_;
    Buffer chunk_;
    Buffer first_blocks_;  ///< a copy of the head's blocks as first written, to rewrite them
    std::size_t filled_ = 0;
    std::uint64_t chunk_offset_ = 0;  ///< where the chunk goes in the file
};

}  // namespace dlctl
