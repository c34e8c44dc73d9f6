#pragma once

#include <string>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/data/table.h"

namespace dlctl {

/// A column left out of the features, and why (data_summary.json lists them).
struct ScreenedColumn {
    std::string name;
    std::string reason;
};

/// The feature columns (indices into `table`) that training uses, of `candidates`: every
/// column but the target, the weights and data.drop. Unless data.features lists them or
/// data.columns types them, columns that would only mislead the model are left out with a
/// warning saying how to keep them: a saved pandas index (an unnamed first column of increasing
/// integers) and a row id (an id-like name such as id, customer_id or CustomerID, every value a
/// distinct integer). Integer columns that look like codes (3 to 10 values, or an id-like name)
/// stay numeric, listed in one warning with the override that makes them categorical. Columns
/// data.columns marks `ignore` are left out without a word. `screened` receives what was left
/// out; `warn` false keeps the warnings back (eval re-creating a run's split). `load`, when
/// given, supplies the cells of a column screening reads instead of `table.columns`.
std::vector<int> screen_features(const DataSpec& spec,
                                 const Table& table,
                                 const std::vector<int>& candidates,
                                 std::vector<ScreenedColumn>& screened,
                                 bool warn,
                                 const ColumnLoader& load = {});

}  // namespace dlctl
