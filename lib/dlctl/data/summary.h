#pragma once

#include <string>
#include <vector>

#include "dlctl/data/dataset.h"

namespace dlctl {

/// What the data pipeline did, as `data_summary.json` (pretty-printed JSON): source, rows per
/// split, feature columns and their normalisation statistics (fitted on the training rows),
/// and for classification (`classes` as in prepare_data) the class counts of every split.
std::string data_summary_json(const PreparedData& data, int classes);

/// The same in a few lines for the log.
std::vector<std::string> data_summary_lines(const PreparedData& data, int classes);

}  // namespace dlctl
