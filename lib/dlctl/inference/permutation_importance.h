#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/inference/labelled_rows.h"

namespace dlctl {

struct ImportanceOptions {
    std::string metric;  ///< one of evaluation_metrics(task); empty: default_importance_metric
    int repeats = 5;     ///< shuffles of each column
    std::uint64_t seed = 0;
    std::int64_t max_rows = 10000;  ///< rows scored at most (a seeded sample); 0: every row
    double threshold = 0.5;         ///< binary decision threshold, as eval's
};

/// One input column's importance: how much the metric worsens when its values are shuffled.
struct ColumnImportance {
    std::string name;
    double mean = 0.0;                ///< mean importance over the repeats
    double std = 0.0;                 ///< their standard deviation (population, as scikit-learn's)
    std::vector<double> scores;       ///< the metric with the column shuffled, per repeat
    std::vector<double> importances;  ///< per repeat: the baseline's lead over that score
};

struct PermutationImportance {
    std::string metric;
    bool higher_is_better = true;
    double baseline = 0.0;                  ///< the metric on the rows as they are
    std::vector<std::uint32_t> rows;        ///< the rows scored (indices into the tables)
    std::vector<ColumnImportance> columns;  ///< most important first
};

/// The metric importance is measured in by default: the checkpoint's best-checkpoint monitor
/// when eval reports it (val_auc: auc), else accuracy for classifiers and rmse for regression.
std::string default_importance_metric(const Checkpoint& checkpoint);

/// Every input column of the ensemble's members: the first member's, in its order, then any
/// other member's that it lacks.
std::vector<std::string> input_columns(const Ensemble& ensemble);

/// `rows` when there are at most `max_rows` of them (or max_rows is 0), else `max_rows` of them
/// drawn without replacement with `seed`, in their order.
std::vector<std::uint32_t> sample_rows(const std::vector<std::uint32_t>& rows,
                                       std::int64_t max_rows,
                                       std::uint64_t seed);

/// Permutation importance (Breiman 2001; as scikit-learn's permutation_importance) of every
/// input column on the labelled rows of `data` (a sample of max_rows): the metric on the rows as
/// they are, then, per column and repeat, with that column's raw values shuffled across the
/// rows (in every member's table alike) and encoded again, so a categorical, embedded or
/// piecewise-linear column is permuted as a unit. Importance = baseline − shuffled score for
/// metrics where higher is better, shuffled − baseline otherwise: larger is more important.
/// `data`'s tables are shuffled in place and restored. UsageError for an unknown metric,
/// DataError when the metric is undefined on the rows (auc with one class).
PermutationImportance permutation_importance(Ensemble& ensemble,
                                             LabelledRows& data,
                                             const ImportanceOptions& options);

}  // namespace dlctl
