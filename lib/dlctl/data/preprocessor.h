#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/core/input_kind.h"
#include "dlctl/data/table.h"

namespace dlctl {

/// The preprocessing settings of a spec's data section.
struct FeatureOptions {
    std::string normalize = "standard";                                  ///< as DataSpec::normalize
    int bins = 16;                                                       ///< piecewise_linear's
    std::vector<std::pair<std::string, std::string>> normalize_columns;  ///< per-column overrides
    MissingSpec missing;
    int max_categories = 0;                    ///< 0: no cap
    std::string unseen_categories = "ignore";  ///< ignore | error
    /// > 0: categorical columns with more training values than this become one index input for
    /// a learned embedding (FeatureColumn::embedded) instead of one-hot inputs.
    int embed_categories = 0;
};

FeatureOptions feature_options(const DataSpec& spec);

/// How a numeric column's value becomes its feature, after missing cells are filled.
enum class NumericMap : std::uint8_t {
    kAffine,      ///< (x - offset) / scale: standard, minmax, robust, none
    kQuantile,    ///< Φ⁻¹ of x's rank among the training values (knots): quantile
    kSmoothClip,  ///< z = (x - offset) / scale, then z / √(1 + (z/3)²): smooth_clip
    /// One feature per quantile bin between `knots` (the bin edges), each x's place in its bin
    /// (piecewise_linear; Gorishniy et al. 2022): 1 below x, 0 above.
    kPiecewiseLinear,
};

/// How one input column becomes model features, as fitted on the training rows.
struct FeatureColumn {
    std::string name;
    ColumnType type = ColumnType::kNumeric;
    // Numeric and boolean columns: one feature, by `map` (booleans stay 0/1: affine 0, 1).
    NumericMap map = NumericMap::kAffine;
    double offset = 0.0;
    double scale = 1.0;
    /// kQuantile: training values at evenly spaced ranks; kPiecewiseLinear: the bin edges
    /// (distinct training quantiles, at least 2).
    std::vector<double> knots;
    double fill = 0.0;         ///< value of a missing cell (before scaling)
    bool fill_allowed = true;  ///< false: a missing cell is an error (missing: error, drop_row)
    bool indicator = false;    ///< also a <name>__missing feature, 1 for missing cells
    // Categorical columns: one-hot over the vocabulary, or (embedded) one input holding the
    // value's index in it.
    std::vector<std::string> vocabulary;
    bool embedded = false;
    int other = -1;          ///< vocabulary index of __other__ (rare and unseen values), or -1
    int missing_index = -1;  ///< vocabulary index a missing cell goes to, or -1 (an error)

    std::int64_t width() const;
    /// The feature of a (filled) numeric value (every map but kPiecewiseLinear).
    double map_value(double x) const;
    /// Features per value: the bins of kPiecewiseLinear, else 1.
    std::int64_t value_width() const;
    /// kPiecewiseLinear's value_width() features of a (filled) value into `out`.
    void encode_bins(double x, float* out) const;
};

/// Feature encoding fitted on the training rows only: missing cells filled (mean, median,
/// constant, mode, or a __missing__ category) with optional indicator features, categorical
/// columns one-hot encoded over their most frequent values (rarer ones share __other__),
/// numeric columns scaled as x' = (x - offset) / scale (standard, minmax, robust or none;
/// a constant column gets scale 1 so it maps to 0 instead of dividing by zero), mapped to a
/// normal by their rank (quantile), or robustly scaled and smoothly clipped (smooth_clip).
class Preprocessor {
  public:
    /// Throws DataError for a feature column without any value in the training rows. `load`,
    /// when given, supplies each feature column's cells (just before it is fitted) instead of
    /// `table.columns`; `table` still gives names, types and categories.
    void fit(const Table& table,
             const std::vector<int>& feature_columns,
             const std::vector<std::uint32_t>& train_rows,
             const FeatureOptions& options,
             const ColumnLoader& load = {});
    /// Numeric columns, missing values filled with the mean (tests, simple callers).
    void fit(const Table& table,
             const std::vector<int>& feature_columns,
             const std::vector<std::uint32_t>& train_rows,
             const std::string& method);

    /// Writes the selected rows as a column-major width() × rows float32 matrix into `out`.
    /// Throws DataError naming file:line and column for a missing cell where the column allows
    /// none, or an unseen category with unseen_categories: error.
    void transform(const Table& table,
                   const std::vector<std::uint32_t>& rows,
                   std::vector<float>& out) const;
    /// As above for another table whose feature columns are `columns` (same order as fitted).
    /// `outside_vocabulary`, when given, gets per column the rows whose categorical value is not
    /// in its vocabulary (Dataset::outside_vocabulary).
    void transform(const Table& table,
                   const std::vector<int>& columns,
                   const std::vector<std::uint32_t>& rows,
                   std::vector<float>& out,
                   std::vector<std::int64_t>* outside_vocabulary = nullptr) const;

    /// The fitted state as JSON, as checkpoints store it; from_json restores a Preprocessor that
    /// transforms identically (call the transform overload that takes the columns). from_json
    /// throws std::invalid_argument saying what is wrong with the text.
    std::string to_json() const;
    static Preprocessor from_json(std::string_view text);

    /// Model inputs: the total width of every column.
    std::int64_t width() const;
    /// Name of every model input: the column, <column>__missing, <column>=<value>.
    std::vector<std::string> encoded_names() const;
    /// What each model input holds (a numeric value, a category's index, a piecewise-linear
    /// bin, or another input): what the embedding layers embed.
    InputKinds input_kinds() const;
    const std::vector<FeatureColumn>& columns() const { return columns_; }
    /// Input column names, in order.
    std::vector<std::string> feature_names() const;
    const std::vector<int>& feature_columns() const { return feature_columns_; }
    /// Per input column (1 for categorical ones).
    std::vector<double> offsets() const;
    std::vector<double> scales() const;
    const std::string& method() const { return options_.normalize; }
    const FeatureOptions& options() const { return options_; }

  private:
    FeatureOptions options_;
    std::vector<FeatureColumn> columns_;
    std::vector<int> feature_columns_;
};

}  // namespace dlctl
