#pragma once

#include <cstdint>
#include <vector>

#include "dlctl/config/spec.h"

namespace dlctl {

/// Row indices of each split, disjoint and together covering every row.
struct SplitIndices {
    std::vector<std::uint32_t> train;
    std::vector<std::uint32_t> validation;
    std::vector<std::uint32_t> test;
};

/// Splits `rows` rows: shuffled with `seed` (unless split.shuffle is false), then the first
/// round(rows * test) rows go to test, the next round(rows * validation) to validation and the
/// rest to training; unshuffled, training rows come first and test rows last (ordered data).
/// With `labels` (class index per row), the rows of each class are split that way separately,
/// so every split keeps the class proportions to within one row per class. Throws DataError when
/// no training row would remain.
///
/// With cross-validation (`cv.folds` > 0) split.validation is not used: the rows outside the test
/// split (the same test rows as without it) are dealt into the folds, and fold `cv.fold`'s rows
/// are the validation split. Shuffled rows are dealt in turn (each class's in turn, stratified,
/// so every fold holds each class to within one row); unshuffled ones form consecutive blocks in
/// file order (each class's, stratified). With `cv.fold` 0, every non-test row is a training row.
/// Throws DataError when there are fewer non-test rows than folds.
SplitIndices split_rows(std::size_t rows,
                        const SplitSpec& split,
                        std::uint64_t seed,
                        const std::vector<float>* labels = nullptr,
                        const CvSpec& cv = {});

}  // namespace dlctl
