#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/inference/ensemble.h"
#include "dlctl/inference/labelled_rows.h"

namespace dlctl {

struct AttributionOptions {
    std::size_t count = 0;  ///< the first `count` rows of the data (in file order)
    /// Exact Shapley values up to this many input columns, sampled permutations beyond.
    std::size_t exact_max_columns = 10;
    int samples = 64;  ///< permutations when sampled
    std::uint64_t seed = 0;
};

/// One row's prediction split among the input columns.
struct RowAttribution {
    std::uint32_t row = 0;    ///< 1-based data row of the file
    std::uint32_t line = 0;   ///< its line in the file
    std::string output;       ///< what is explained: P(target=label), or the target's value
    double prediction = 0.0;  ///< that output for the row
    double baseline_prediction = 0.0;  ///< and for the baseline row
    std::vector<double> attributions;  ///< per column of Attributions::columns
    /// Σ attributions − (prediction − baseline_prediction): 0 up to rounding (efficiency).
    double residual = 0.0;
};

struct Attributions {
    std::string method;                 ///< how the values were computed, in words
    std::vector<std::string> columns;   ///< input_columns(ensemble)
    std::vector<std::string> baseline;  ///< each column's baseline value, as text
    std::vector<RowAttribution> rows;
};

/// Per-row attributions by Shapley values over the original input columns (shapley_values)
/// against one baseline row: a player absent from a coalition takes its baseline value, the
/// training fill value of a numeric or boolean column (its mean or median; the median of the
/// data's rows where the checkpoint keeps none) and the most frequent training category of a
/// categorical one. Coalition rows go through each member's saved preprocessing, so every column
/// (one-hot, embedded, piecewise-linear) counts as one player. The output explained is the
/// regression value, P(positive) (binary) or the probability of the row's predicted class.
Attributions shapley_attributions(Ensemble& ensemble,
                                  const LabelledRows& data,
                                  const AttributionOptions& options);

}  // namespace dlctl
