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
    /// With a group column: its cell in each of `rows` as text, "" when missing (empty or one of
    /// the first member's data.na_values).
    std::vector<std::string> groups;
};

/// Every labelled row of a CSV: the features, the target and (when present) the sample weights.
/// Rows without a target are skipped with a warning; DataError when none is left, and one naming
/// the file and the target when the file has no target column. `group_by` (optional) names a
/// column of the file, any one, read as text into `groups`: UsageError with a "did you mean" when
/// the file has no such column.
LabelledRows read_labelled_rows(const std::string& path,
                                const Ensemble& ensemble,
                                const std::string& group_by = {});

/// The members' held-out test rows: their test file, or their test split re-created from each
/// member's saved data settings and seed (the training file must be unchanged: DataError). The
/// members must agree on the rows (UsageError). `group_by` as read_labelled_rows.
LabelledRows held_out_test_rows(const Ensemble& ensemble, const std::string& group_by = {});

}  // namespace dlctl
