#pragma once

#include <cstdint>

namespace dlctl {

/// A non-owning view of a float32 matrix in column-major order (`rows` features × `cols`
/// samples, leading dimension `rows`), in the memory of whichever backend allocated it.
struct Tensor {
    float* data = nullptr;
    std::int64_t rows = 0;
    std::int64_t cols = 0;

    std::int64_t size() const { return rows * cols; }
};

/// `count` column-major matrices of one shape in one allocation, for batched products: matrix i
/// starts at data + i · stride, and its columns lie `ld` floats apart (ld ≥ rows).
struct MatrixBatch {
    float* data = nullptr;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::int64_t ld = 0;
    std::int64_t stride = 0;
};

}  // namespace dlctl
