#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dlctl/inference/evaluation.h"

namespace dlctl {

/// The group of the rows whose group column is missing (empty or one of data.na_values).
inline constexpr const char* kMissingGroup = "(missing)";

/// One group's rows and metrics. Binary tasks also get the rates fairness metrics compare, at
/// the evaluation's threshold: the share of the group's rows predicted positive, of its positive
/// rows predicted positive (TPR) and of its negative rows predicted positive (FPR); a rate
/// without rows to divide by (TPR of a group without positives) is none.
struct GroupReport {
    std::string name;
    EvaluationReport report;  ///< report.rows: the group's size
    std::optional<double> selection_rate, true_positive_rate, false_positive_rate;
};

/// Metrics per group of rows, groups named by a column's cell text (evaluated with `--group-by`).
/// Binary tasks add, as fairlearn defines them: the demographic-parity difference, max − min of
/// the groups' selection rates, and the equalized-odds difference, the larger of the TPRs' and
/// the FPRs' max − min (groups whose rate is none left out of that rate's range).
struct GroupMetrics {
    std::vector<GroupReport> groups;  ///< by name, kMissingGroup last
    std::optional<double> demographic_parity_difference, equalized_odds_difference;
};

/// The metrics of each group of rows: `group_of_row[i]` names row i's group. `outputs` and
/// `data` as evaluate_outputs takes them (only the targets of `data` are read), each group
/// scored by evaluate_outputs with `threshold` and `calibration_error`.
GroupMetrics group_metrics(const TaskInfo& task,
                           const std::vector<float>& outputs,
                           const Dataset& data,
                           const std::vector<std::string>& group_of_row,
                           double threshold,
                           bool calibration_error);

}  // namespace dlctl
