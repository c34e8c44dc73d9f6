#pragma once

#include <cstdint>
#include <functional>

#include "dlctl/core/tensor.h"

namespace dlctl {

/// Owns `size` elements in a backend's memory; freed by the deleter the backend supplied.
template <typename T>
class DeviceArray {
  public:
    DeviceArray() = default;
    DeviceArray(T* data, std::int64_t size, std::function<void(T*)> deleter)
        : data_(data), size_(size), deleter_(std::move(deleter)) {}
    DeviceArray(DeviceArray&& other) noexcept { *this = std::move(other); }
    DeviceArray& operator=(DeviceArray&& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(deleter_, other.deleter_);
        return *this;
    }
    DeviceArray(const DeviceArray&) = delete;
    DeviceArray& operator=(const DeviceArray&) = delete;
    ~DeviceArray() {
        if (data_ != nullptr && deleter_) deleter_(data_);
    }

    T* data() const { return data_; }
    std::int64_t size() const { return size_; }

  private:
    T* data_ = nullptr;
    std::int64_t size_ = 0;
    std::function<void(T*)> deleter_;
};

/// Floats in a backend's memory.
class Buffer : public DeviceArray<float> {
  public:
    using DeviceArray<float>::DeviceArray;
    /// A rows × cols view of the buffer's start; rows * cols must not exceed size().
    Tensor view(std::int64_t rows, std::int64_t cols) const;
};

/// Column indices (of samples) in a backend's memory.
using IndexBuffer = DeviceArray<std::uint32_t>;

}  // namespace dlctl
