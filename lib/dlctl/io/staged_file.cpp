#include "dlctl/io/staged_file.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

constexpr std::size_t kBlock = AtomicFileWriter::kBlock;
// Larger chunks page-fault more; smaller ones exit to the hypervisor more (a virtio request each).
constexpr std::size_t kChunk = std::size_t{1} << 20;

std::size_t round_up_to_block(std::uint64_t bytes) {
    return (bytes + kBlock - 1) / kBlock * kBlock;
}

}  // namespace

void StagedFileWriter::FreeAligned::operator()(char* p) const { std::free(p); }

StagedFileWriter::Buffer StagedFileWriter::allocate(std::size_t bytes) {
    Buffer buffer(static_cast<char*>(std::aligned_alloc(kBlock, bytes)));
    if (!buffer) throw std::bad_alloc();
    return buffer;
}

StagedFileWriter::StagedFileWriter(const std::filesystem::path& path,
                                   std::uint64_t size,
                                   std::size_t head)
    : file_(path, size >= kDirectFrom),
      size_(size),
      head_(head),
      head_rounded_(round_up_to_block(head)),
      chunk_size_(std::max(kChunk, head_rounded_)),
      chunk_(allocate(chunk_size_)) {
    DLCTL_CHECK(head <= size);
}

void StagedFileWriter::advance(std::size_t n) {
    DLCTL_CHECK(n <= chunk_size_ - filled_);
    filled_ += n;
    if (filled_ < chunk_size_) return;
    if (chunk_offset_ == 0 && head_rounded_ > 0) {  // finish() rewrites these blocks
        first_blocks_ = allocate(head_rounded_);
        std::memcpy(first_blocks_.get(), chunk_.get(), head_rounded_);
    }
    flush();
}

void StagedFileWriter::append(std::string_view bytes) {
    while (!bytes.empty()) {
        const std::span<char> free = room();
        const std::size_t n = std::min(bytes.size(), free.size());
        std::memcpy(free.data(), bytes.data(), n);
        bytes.remove_prefix(n);
        advance(n);
    }
}

void StagedFileWriter::flush() {
    // Whole blocks, the last one padded: commit() cuts the file to its size.
    const std::size_t bytes = round_up_to_block(filled_);
    std::memset(chunk_.get() + filled_, 0, bytes - filled_);
    file_.write_at(chunk_offset_, {chunk_.get(), bytes});
    chunk_offset_ += filled_;
    filled_ = 0;
}

void StagedFileWriter::finish(std::string_view head) {
    DLCTL_CHECK(chunk_offset_ + filled_ == size_ && head.size() <= head_);
    if (chunk_offset_ == 0) {  // the whole file is still in the chunk
        if (!head.empty()) std::memcpy(chunk_.get(), head.data(), head.size());
        flush();
    } else {
        if (filled_ > 0) flush();
        if (!head.empty()) {
            std::memcpy(first_blocks_.get(), head.data(), head.size());
            file_.write_at(0, {first_blocks_.get(), head_rounded_});
        }
    }
    file_.commit(size_);
}

}  // namespace dlctl
