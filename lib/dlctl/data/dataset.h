#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/data/preprocessor.h"
#include "dlctl/data/split.h"
#include "dlctl/data/table.h"

namespace dlctl {

/// Encoded examples ready for a backend: column-major features × rows and one target per row.
struct Dataset {
    std::int64_t n_features = 0;
    std::int64_t n_rows = 0;
    std::vector<float> features;  ///< n_features × n_rows, column-major
    std::vector<float> targets;   ///< n_rows
};

/// Everything `train` needs from the data: the three encoded splits and how they were made.
struct PreparedData {
    Table table;
    std::vector<std::string> feature_names;
    std::string target_name;
    SplitIndices split;
    Preprocessor preprocessor;
    Dataset train;
    Dataset validation;
    Dataset test;
};

/// Reads the CSV of `spec`, selects feature and target columns, splits the rows, fits the
/// preprocessor on the training rows only and encodes every split. `binary_target` requires the
/// target to be 0/1. Throws DataError for bad files, missing columns or invalid targets.
PreparedData prepare_data(const DataSpec& spec, std::uint64_t seed, bool binary_target);

}  // namespace dlctl
