#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/data/table.h"
#include "dlctl/inference/ensemble.h"

namespace dlctl {

/// Labelled rows to evaluate an ensemble on and how to describe them: the same rows of one file,
/// read by each member as it was trained to (`tables[m]` is member m's).
struct LabelledRows {
    std::vector<Table> owned;
    std::vector<const Table*> tables;
    std::vector<std::uint32_t> rows;
    std::string description;
};

/// Every labelled row of a CSV: the features, the target and (when present) the sample weights.
/// Rows without a target are skipped with a warning; DataError when none is left, and one naming
/// the file and the target when the file has no target column.
LabelledRows read_labelled_rows(const std::string& path, const Ensemble& ensemble);

/// The members' held-out test rows: their test file, or their test split re-created from each
/// member's saved data settings and seed (the training file must be unchanged: DataError). The
/// members must agree on the rows (UsageError).
LabelledRows held_out_test_rows(const Ensemble& ensemble);

}  // namespace dlctl
