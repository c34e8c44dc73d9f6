#pragma once

#include <cstddef>
#include <memory_resource>
#include <mutex>
#include <vector>

namespace dlctl {

/// Memory for the columns of a table that is read in one go. One anonymous mapping, advised for
/// transparent huge pages (faulting fresh memory in 4 KB pages costs more than parsing a numeric
/// CSV into it), cut into one slot per column. The slots start at different offsets within a
/// page: columns filled row by row write the same row of every column at once, and with equal
/// offsets those writes would all fall into the same few cache sets and evict each other.
/// Requests larger than a slot, or beyond the slot count, go to the default resource.
class ColumnArena final : public std::pmr::memory_resource {
  public:
    ColumnArena(std::size_t slots, std::size_t slot_bytes);
    ~ColumnArena() override;
    ColumnArena(const ColumnArena&) = delete;
    ColumnArena& operator=(const ColumnArena&) = delete;

    std::size_t slot_bytes() const { return slot_bytes_; }

  private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override;
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
        return this == &other;
    }

    std::size_t slot_bytes_ = 0;
    std::size_t stride_ = 0;  ///< bytes from one slot to the next
    char* base_ = nullptr;    ///< the mapping (nullptr when it could not be made)
    std::size_t mapped_ = 0;
    char* first_slot_ = nullptr;
    std::vector<bool> in_use_;
    std::size_t next_free_ = 0;  ///< no slot below it is free
    std::mutex mutex_;
};

}  // namespace dlctl
