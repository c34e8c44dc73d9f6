#pragma once

#include <filesystem>
#include <string>

#include "dlctl/config/spec.h"

namespace dlctl::test {

/// `rows` rows of every kind of column: numbers with gaps, a boolean word column, a category
/// with gaps and a rare value, a weight and a three-class label.
std::string mixed_csv(int rows);

/// A spec for mixed_csv's file `csv` (stratified split, missing cells filled, a capped
/// vocabulary, the weights), its scratch files under `cache`.
DataSpec mixed_spec(const std::filesystem::path& csv, const std::filesystem::path& cache);

}  // namespace dlctl::test
