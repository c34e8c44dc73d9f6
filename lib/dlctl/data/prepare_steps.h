#pragma once

#include <string>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/data/column_screening.h"
#include "dlctl/data/csv_reader.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/table_cache.h"

/// The steps prepare_data takes from a parsed table to encoded splits, shared by the in-memory
/// and the out-of-core preparation.
namespace dlctl::prepare {

/// The columns a spec selects from a table.
struct Columns {
    int target = -1;
    int weight = -1;  ///< -1: no sample weights
    std::vector<int> features;
};

/// A table made ready for encoding: targets as class indices or values, and the rows to use.
struct Rows {
    std::vector<float> targets;       ///< per table row; NaN: missing
    std::vector<std::uint32_t> kept;  ///< rows with a target (and features under drop_row)
    std::size_t missing_target = 0;
    std::size_t missing_feature = 0;
};

int require_column(const Table& table, const std::string& name, const std::string& key);

/// The target column: by name, or by 0-based index when no column has that name.
int target_column(const Table& table, const std::string& target);

Columns select_columns(const DataSpec& spec, const Table& table);

/// How prepare_data reads a spec's CSV: types inferred, and a classification target named by
/// its column read as text, so labels keep their spelling ("yes" stays "yes", "1.0" "1.0").
CsvOptions csv_options(const DataSpec& spec, int classes);

TableCacheOptions cache_options(const DataSpec& spec);

bool stratified(const DataSpec& spec, int classes);

/// Labels are sorted: numbers numerically, text alphabetically.
std::vector<std::string> sorted_labels(const Table& table, int target);

/// The label map of a classification target: checks the number of classes against what the
/// loss and output layer expect (`classes` as for prepare_data) and puts the positive label last.
std::vector<std::string> label_map(const Table& table,
                                   int target,
                                   int classes,
                                   const std::string& positive);

/// Class index of every row (NaN where the target is missing) through `labels`. Throws
/// DataError naming the line of a value that is not a label.
std::vector<float> class_indices(const Table& table,
                                 int target,
                                 const std::vector<std::string>& labels);

void check_regression_target(const Table& table, int target);

void check_weights(const Table& table, int column);

/// The feature columns whose missing strategy is drop_row.
std::vector<int> drop_row_features(const DataSpec& spec,
                                   const Table& table,
                                   const Columns& columns);

/// The targets (class indices through `labels`, or values) and the rows to keep: those with a
/// target and, unless `missing_feature` (1 per row to drop) says otherwise, no missing cell in a
/// drop_row feature column. DataError when no row is left.
Rows usable_rows(const DataSpec& spec,
                 const Table& table,
                 const Columns& columns,
                 const std::vector<std::string>& labels,
                 const std::vector<std::uint8_t>* missing_feature = nullptr);

/// The rows of `table` as a Dataset: features through the fitted preprocessor, targets and
/// optional weights.
Dataset encode(const Table& table,
               const std::vector<int>& features,
               const std::vector<float>& targets,
               int weight_column,
               const Preprocessor& preprocessor,
               const std::vector<std::uint32_t>& rows);

/// Logs a warning for every class that a non-empty split lacks.
void warn_missing_classes(const PreparedData& data, const std::vector<float>& labels);

/// Cross-validation stratified by class must give every fold a row of each class to validate
/// on: DataError naming the first class with fewer non-test rows than folds.
void check_rows_per_class(const SplitIndices& split,
                          const Rows& rows,
                          const std::vector<std::string>& labels,
                          int folds);

/// Splits `rows.kept` as split_rows does, returning table row numbers.
SplitIndices split_kept(const DataSpec& spec,
                        const Rows& rows,
                        std::uint64_t seed,
                        const std::vector<std::string>& labels,
                        const CvSpec& cv);

/// Every column data.columns and data.normalize_columns name must exist (and be a numeric
/// feature, for normalize_columns).
void check_named_columns(const DataSpec& spec, const Table& table, const Columns& columns);

/// The feature columns' types in `table`, to read other files of the same data alike.
CsvOptions with_types_of(CsvOptions options, const Table& table, const Columns& columns);

std::vector<std::string> screened_names(const std::vector<ScreenedColumn>& screened);

/// The training CSV is read more than once (parsed, then checksummed for the checkpoint; the
/// cache and `eval` read it again), so it must be a file on disk, not a stream.
void require_regular_file(const std::string& path);

/// The counts of rows dropped for a missing target or feature into `data` (a warning for the
/// former).
void note_dropped_rows(const Rows& rows, const std::string& target, PreparedData& data);

/// DataError when screening left no feature column.
void require_features(const Table& table,
                      const Columns& columns,
                      const std::vector<ScreenedColumn>& screened);

/// Missing (NaN) cells of a column.
std::int64_t missing_cells(const Column& column);

/// data.validation_file and data.test_file, when given, read (in memory) and encoded into
/// data.validation and data.test: the training columns by name and type (`options` as the
/// training file was read), the fitted preprocessor, the training labels.
void encode_separate_files(const DataSpec& spec,
                           const CsvOptions& options,
                           const Columns& columns,
                           int classes,
                           PreparedData& data);

/// Regression with data.target_normalize standard: every split's targets as
/// (y - mean) / std of the training targets (PreparedData::target_offset and target_scale).
void normalize_targets(const DataSpec& spec, int classes, PreparedData& data);
}  // namespace dlctl::prepare
