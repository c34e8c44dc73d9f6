#pragma once

#include <cstdint>
#include <vector>

namespace dlctl {

/// What one model input holds, for the layers that embed inputs (periodic, category and
/// piecewise-linear embeddings): the preprocessor says it of the encoded inputs, and each
/// embedding layer of what it passes on.
struct InputKind {
    enum Kind : std::uint8_t {
        kOther,     ///< a one-hot category, a missing indicator, a boolean, an embedding's value
        kNumber,    ///< a numeric column's (scaled) value
        kCategory,  ///< a category's index in its column's vocabulary
        kBin,       ///< one of a numeric column's piecewise-linear bins
    };
    Kind kind = kOther;
    std::int64_t size = 0;   ///< kCategory: the vocabulary's size; kBin: the column's bins
    std::int64_t first = 0;  ///< kBin: the input row of its column's first bin
};

using InputKinds = std::vector<InputKind>;

}  // namespace dlctl
