#include "dlctl/data/column_arena.h"

#include <sys/mman.h>

#include <cstdint>

namespace dlctl {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kPage = 4096;
/// Consecutive slots start 17 cache lines apart modulo a page: 17 and the 64 lines of a page are
/// coprime, so 64 consecutive columns start on 64 different lines.
constexpr std::size_t kStagger = 17 * 64;

std::size_t round_up(std::size_t n, std::size_t multiple) {
    return (n + multiple - 1) / multiple * multiple;
}

}  // namespace

ColumnArena::ColumnArena(std::size_t slots, std::size_t slot_bytes)
    : slot_bytes_(slot_bytes),
      stride_(round_up(slot_bytes, kPage) + kStagger),
      in_use_(slots, false) {
    if (slots == 0 || slot_bytes == 0) return;
    mapped_ = stride_ * slots + kHugePage;
    void* p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        in_use_.assign(slots, true);  // every request goes to the default resource
        return;
    }
    base_ = static_cast<char*>(p);
    const auto address = reinterpret_cast<std::uintptr_t>(base_);
    first_slot_ = base_ + (round_up(address, kHugePage) - address);
#ifdef MADV_HUGEPAGE
    madvise(first_slot_, mapped_ - static_cast<std::size_t>(first_slot_ - base_), MADV_HUGEPAGE);
#endif
}

ColumnArena::~ColumnArena() {
    if (base_ != nullptr) munmap(base_, mapped_);
}

void* ColumnArena::do_allocate(std::size_t bytes, std::size_t alignment) {
    if (bytes <= slot_bytes_ && alignment <= 64) {
        const std::lock_guard lock(mutex_);
        while (next_free_ < in_use_.size() && in_use_[next_free_]) ++next_free_;
        if (next_free_ < in_use_.size()) {
            in_use_[next_free_] = true;
            return first_slot_ + next_free_ * stride_;
        }
    }
    return std::pmr::get_default_resource()->allocate(bytes, alignment);
}

void ColumnArena::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
    const auto* c = static_cast<const char*>(p);
    if (base_ != nullptr && c >= first_slot_ && c < base_ + mapped_) {
        const std::lock_guard lock(mutex_);
        const auto slot = static_cast<std::size_t>(c - first_slot_) / stride_;
        in_use_[slot] = false;
        if (slot < next_free_) next_free_ = slot;
        return;
    }
    std::pmr::get_default_resource()->deallocate(p, bytes, alignment);
}

}  // namespace dlctl
