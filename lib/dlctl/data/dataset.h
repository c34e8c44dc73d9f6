#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/data/column_screening.h"
#include "dlctl/data/preprocessor.h"
#include "dlctl/data/split.h"
#include "dlctl/data/table.h"

namespace dlctl {

class FeatureFile;

/// Encoded examples ready for a backend: column-major features × rows and one target per row.
struct Dataset {
    std::int64_t n_features = 0;
    std::int64_t n_rows = 0;
    std::vector<float> features;  ///< n_features × n_rows, column-major; empty when on_disk
    std::vector<float> targets;   ///< n_rows: values, or class indices 0..K-1
    std::vector<float> weights;   ///< n_rows loss weights; empty: all 1
    /// Per feature column: the rows whose categorical value is not in its vocabulary (rare in
    /// the training rows, rare or unseen elsewhere), encoded as __other__ or as zeros; 0 for
    /// numeric columns. Empty where nobody counted (a Dataset made by hand).
    std::vector<std::int64_t> outside_vocabulary;
    /// Data larger than memory: the features are in this file, not in `features`.
    std::shared_ptr<const FeatureFile> on_disk;
    /// On ranks that read their parts of the file (prepare_data_on_ranks): `features` holds
    /// only this rank's block of rows, from row `features_first`; targets and weights hold every
    /// row.
    bool rank_block = false;
    std::int64_t features_first = 0;

    /// Rows whose features are in `features`.
    std::int64_t feature_rows() const {
        return n_features > 0 ? static_cast<std::int64_t>(features.size()) / n_features : 0;
    }
};

/// Rows [first, first + count) of `data` (a rank's shard of a split), with their targets and
/// weights; outside_vocabulary is not counted. `data.features` must hold those rows.
Dataset rows_of(const Dataset& data, std::int64_t first, std::int64_t count);

/// Everything `train` needs from the data: the three encoded splits and how they were made.
struct PreparedData {
    Table table;
    std::vector<std::string> feature_names;  ///< input columns; the model's inputs are
                                             ///< preprocessor.encoded_names()
    std::string target_name;
    /// Classification: the label of each class index (sorted; binary: {negative, positive}).
    std::vector<std::string> labels;
    std::size_t dropped_missing_target = 0;        ///< rows without a target value
    std::size_t dropped_missing_feature = 0;       ///< rows dropped by missing: drop_row
    std::vector<ScreenedColumn> screened_columns;  ///< left out of the features, and why
    std::size_t rows_read = 0;                     ///< data rows in the file
    /// Per feature column (as feature_names), its missing cells in the whole file.
    std::vector<std::int64_t> feature_missing;
    bool out_of_core = false;  ///< `table` holds names, types and categories but no rows
    /// Out of core: the training split's rows are laid out in windows of this many (what
    /// training reads at a time); 0 in memory.
    std::int64_t window_rows = 0;
    SplitIndices split;
    Preprocessor preprocessor;
    Dataset train;
    Dataset validation;
    Dataset test;
    /// Regression targets are stored as (y - target_offset) / target_scale (0 and 1 unless
    /// data.target_normalize is standard, then the training targets' mean and std).
    double target_offset = 0.0;
    double target_scale = 1.0;
};

/// Reads the CSV of `spec` (types inferred, data.na_values missing), selects feature, target and
/// sample-weight columns, drops rows without a target (and rows with missing features under
/// missing: drop_row), splits the rows, fits the preprocessor on the training rows only and
/// encodes every split. `classes` says what the target must hold: 0 numbers (regression), 1 two
/// distinct values of any type (binary), K >= 2 exactly K distinct values; class labels are
/// sorted (numbers numerically) and binary's positive class is data.positive_label or the last.
/// Throws DataError for bad files, missing columns or invalid targets/weights. `cv`: a
/// cross-validation fold's run (split_rows; DataError naming a class with fewer rows than folds).
PreparedData prepare_data(const DataSpec& spec,
                          std::uint64_t seed,
                          int classes,
                          const CvSpec& cv = {});

/// The CSV of `spec` read as prepare_data reads it (types inferred, a classification target as
/// text when `classes` > 0, the parse cache), no column selected yet: to look at the data before
/// the model is fixed (autospec).
Table read_data_table(const DataSpec& spec, int classes);

/// The index of the target column: by name, or by 0-based index when no column has that name.
/// DataError with a "did you mean" and the file's columns otherwise.
int find_target_column(const Table& table, const std::string& target);

/// The label in `labels` that `text` names: the same text, or else the same number ("1.0" finds
/// "1"); labels.end() when none does.
std::vector<std::string>::const_iterator find_label(const std::vector<std::string>& labels,
                                                    const std::string& text);

/// The CSV of `spec` read again and the rows prepare_data put in its test split with the same
/// seed and split settings (`eval` re-creating a run's held-out rows).
struct HeldOutRows {
    Table table;
    std::vector<std::uint32_t> rows;
};
HeldOutRows held_out_rows(const DataSpec& spec, std::uint64_t seed, int classes);

/// The CSV of `spec` read again, and each fold's validation rows of a cross-validation with
/// `folds` folds (those of prepare_data with train.cv.fold 1 to `folds`), read once for all.
struct FoldRows {
    Table table;
    std::vector<std::vector<std::uint32_t>> validation;  ///< fold i + 1's
};
FoldRows fold_rows(const DataSpec& spec, std::uint64_t seed, int classes, int folds);

/// Multiplies the weights of `train` by per-class weights: "balanced" (n / (K · n_c), as
/// scikit-learn) or `custom` label → weight (labels as written in the data, e.g. "0", "1";
/// unlisted classes weigh 1). `labels` as PreparedData::labels. Throws DataError for a label that
/// is not a class.
void apply_class_weights(Dataset& train,
                         const std::vector<std::string>& labels,
                         const std::string& mode,
                         const std::vector<std::pair<std::string, double>>& custom);

}  // namespace dlctl
