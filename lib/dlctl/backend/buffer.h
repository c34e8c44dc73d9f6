#pragma once

#include <cstdint>
#include <functional>

#include "dlctl/core/tensor.h"

namespace dlctl {

/// Owns `size` floats in a backend's memory; freed by the deleter the backend supplied.
class Buffer {
  public:
    Buffer() = default;
    Buffer(float* data, std::int64_t size, std::function<void(float*)> deleter)
        : data_(data), size_(size), deleter_(std::move(deleter)) {}
    Buffer(Buffer&& other) noexcept { *this = std::move(other); }
    Buffer& operator=(Buffer&& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(deleter_, other.deleter_);
        return *this;
    }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() {
        if (data_ != nullptr && deleter_) deleter_(data_);
    }

    float* data() const { return data_; }
    std::int64_t size() const { return size_; }
    /// A rows × cols view of the buffer's start; rows * cols must not exceed size().
    Tensor view(std::int64_t rows, std::int64_t cols) const;

  private:
    float* data_ = nullptr;
    std::int64_t size_ = 0;
    std::function<void(float*)> deleter_;
};

}  // namespace dlctl
