#include "dlctl/data/prepare_steps.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"
#include "dlctl/data/csv_fields.h"

namespace dlctl::prepare {

int require_column(const Table& table, const std::string& name, const std::string& key) {
    const int index = table.column_index(name);
    if (index < 0) {
        throw DataError(fmt::format("{}: column '{}' (from {}) not found{}", table.source, name,
                                    key, did_you_mean(name, table.names)),
                        "the file's columns are: " + quoted_list(table.names));
    }
    return index;
}

/// The target column: by name, or by 0-based index when no column has that name.
int target_column(const Table& table, const std::string& target) {
    if (table.column_index(target) >= 0) return table.column_index(target);
    int index = -1;
    const auto [end, ec] = std::from_chars(target.data(), target.data() + target.size(), index);
    if (ec == std::errc{} && end == target.data() + target.size() && index >= 0 &&
        index < static_cast<int>(table.names.size())) {
        return index;
    }
    return require_column(table, target, "data.target");
}

Columns select_columns(const DataSpec& spec, const Table& table) {
    const int target = target_column(table, spec.target);
    const int weight_column = spec.sample_weight.empty()
                                  ? -1
                                  : require_column(table, spec.sample_weight, "data.sample_weight");
    std::vector<int> features;
    if (!spec.features.empty()) {
        for (const auto& name : spec.features) {
            features.push_back(require_column(table, name, "data.features"));
        }
    } else {
        for (const auto& name : spec.drop) require_column(table, name, "data.drop");
        for (int c = 0; c < static_cast<int>(table.names.size()); ++c) {
            const bool dropped =
                std::find(spec.drop.begin(), spec.drop.end(), table.names[c]) != spec.drop.end();
            if (c != target && c != weight_column && !dropped) features.push_back(c);
        }
    }
    if (features.empty()) {
        throw DataError(table.source +
                        ": no feature columns left after removing the target and "
                        "data.drop");
    }
    if (weight_column >= 0 && table.type(weight_column) != ColumnType::kNumeric) {
        throw DataError(fmt::format("{}: sample-weight column '{}' is {}, not numeric",
                                    table.source, table.names[weight_column],
                                    to_string(table.type(weight_column))));
    }
    return {target, weight_column, features};
}

/// How prepare_data reads a spec's CSV: types inferred, and a classification target named by
/// its column read as text, so labels keep their spelling ("yes" stays "yes", "1.0" "1.0").
CsvOptions csv_options(const DataSpec& spec, int classes) {
    CsvOptions options =
        csv_format(spec.delimiter == "auto" ? '\0' : spec.delimiter.front(), spec.header);
    options.infer_types = true;
    options.na_values = spec.na_values;
    options.require_typed_columns = false;  // the target may be given by index
    if (classes > 0) options.column_types.emplace_back(spec.target, ColumnType::kCategorical);
    for (const auto& [name, type] : spec.columns) {
        if (type == "ignore") continue;  // read as inferred, then left out of the features
        options.column_types.emplace_back(name, type == "categorical" ? ColumnType::kCategorical
                                                : type == "boolean"   ? ColumnType::kBoolean
                                                                      : ColumnType::kNumeric);
    }
    return options;
}

TableCacheOptions cache_options(const DataSpec& spec) {
    TableCacheOptions cache;
    cache.enabled = spec.cache;
    cache.dir = spec.cache_dir;
    return cache;
}

bool stratified(const DataSpec& spec, int classes) {
    return classes > 0 &&
           (spec.split.stratify == "true" || (spec.split.stratify == "auto" && spec.split.shuffle));
}

/// Labels are sorted: numbers numerically, text alphabetically.
std::vector<std::string> sorted_labels(const Table& table, int target) {
    std::vector<std::string> labels;
    if (table.type(target) == ColumnType::kNumeric) {
        std::vector<float> values;
        for (const float v : table.columns[target]) {
            if (!std::isnan(v)) values.push_back(v);
        }
        std::sort(values.begin(), values.end());
        values.erase(std::unique(values.begin(), values.end()), values.end());
        for (const float v : values) labels.push_back(fmt::format("{}", v));
        return labels;
    }
    std::vector<bool> used(
        table.type(target) == ColumnType::kBoolean ? 2 : table.categories[target].size(), false);
    for (std::size_t r = 0; r < table.rows(); ++r) {
        if (!std::isnan(table.columns[target][r])) {
            used[static_cast<std::size_t>(table.columns[target][r])] = true;
        }
    }
    for (std::size_t v = 0; v < used.size(); ++v) {
        if (used[v]) {
            labels.push_back(table.type(target) == ColumnType::kBoolean
                                 ? (v == 1 ? "true" : "false")
                                 : table.categories[target][v]);
        }
    }
    // Labels that are all numbers ("2", "10") sort as numbers, others alphabetically.
    float a = 0.0f, b = 0.0f;
    const bool numeric = std::all_of(labels.begin(), labels.end(),
                                     [&](const std::string& l) { return parse_float(l, a); });
    std::sort(labels.begin(), labels.end(), [&](const std::string& x, const std::string& y) {
        if (!numeric) return x < y;
        parse_float(x, a);
        parse_float(y, b);
        return a < b;
    });
    return labels;
}

/// The label map of a classification target: checks the number of classes against what the
/// loss and output layer expect (`classes` as for prepare_data) and puts the positive label last.
std::vector<std::string> label_map(const Table& table,
                                   int target,
                                   int classes,
                                   const std::string& positive) {
    std::vector<std::string> labels = sorted_labels(table, target);
    const auto k = static_cast<std::size_t>(classes == 1 ? 2 : classes);
    const std::string& name = table.names[target];
    if (labels.size() < 2) {
        throw DataError(
            fmt::format("{}: target '{}' has a single class{}; a classifier needs at "
                        "least two",
                        table.source, name, labels.empty() ? "" : " ('" + labels.front() + "')"));
    }
    if (labels.size() != k) {
        const std::string shown =
            labels.size() <= 10 ? quoted_list(labels) : fmt::format("{} values", labels.size());
        throw DataError(
            classes == 1
                ? fmt::format("{}: target '{}' has {} distinct values ({}), but "
                              "binary_crossentropy needs exactly 2",
                              table.source, name, labels.size(), shown)
                : fmt::format("{}: target '{}' has {} classes ({}), but the output layer has {} "
                              "units",
                              table.source, name, labels.size(), shown, k),
            classes == 1 ? "use categorical_crossentropy with one output unit per class, or a "
                           "regression loss for a numeric target"
                         : fmt::format("set the last layer's units to {}", labels.size()));
    }
    if (classes == 1 && !positive.empty()) {
        const auto it = std::find(labels.begin(), labels.end(), positive);
        if (it == labels.end()) {
            throw DataError(
                fmt::format("{}: data.positive_label '{}' is not a value of target "
                            "'{}' (values: {})",
                            table.source, positive, name, quoted_list(labels)));
        }
        if (it == labels.begin()) std::swap(labels[0], labels[1]);
    }
    return labels;
}

/// Class index of every row (NaN where the target is missing) through `labels`. Throws
/// DataError naming the line of a value that is not a label.
std::vector<float> class_indices(const Table& table,
                                 int target,
                                 const std::vector<std::string>& labels) {
    std::vector<float> out(table.rows());
    for (std::size_t r = 0; r < table.rows(); ++r) {
        if (std::isnan(table.columns[target][r])) {
            out[r] = std::nanf("");
            continue;
        }
        const std::string text = table.text(static_cast<std::size_t>(target), r);
        const auto it = find_label(labels, text);
        if (it == labels.end()) {
            throw DataError(fmt::format(
                "{}:{}: target '{}' is '{}', which is not one of the "
                "training labels ({})",
                table.source, table.lines[r], table.names[target], text, quoted_list(labels)));
        }
        out[r] = static_cast<float>(it - labels.begin());
    }
    return out;
}

void check_regression_target(const Table& table, int target) {
    if (table.type(target) != ColumnType::kNumeric) {
        throw DataError(
            fmt::format("{}: target '{}' is {}, but a regression loss needs numbers", table.source,
                        table.names[target], to_string(table.type(target))),
            "use binary_crossentropy or categorical_crossentropy for labels");
    }
}

void check_weights(const Table& table, int column) {
    const Column& w = table.columns[column];
    for (std::size_t r = 0; r < w.size(); ++r) {
        if (w[r] < 0.0f || std::isnan(w[r])) {
            throw DataError(fmt::format("{}:{}: sample weight '{}' is {}; weights must be >= 0",
                                        table.source, table.lines[r], table.names[column],
                                        std::isnan(w[r]) ? "missing" : fmt::format("{}", w[r])));
        }
    }
}

std::vector<int> drop_row_features(const DataSpec& spec,
                                   const Table& table,
                                   const Columns& columns) {
    std::vector<int> out;
    for (const int c : columns.features) {
        const bool categorical = table.type(c) == ColumnType::kCategorical;
        if ((categorical ? spec.missing.categorical : spec.missing.numeric) == "drop_row") {
            out.push_back(c);
        }
    }
    return out;
}

Rows usable_rows(const DataSpec& spec,
                 const Table& table,
                 const Columns& columns,
                 const std::vector<std::string>& labels,
                 const std::vector<std::uint8_t>* missing_feature) {
    Rows out;
    if (labels.empty()) {
        const Column& target = table.columns[columns.target];
        out.targets.assign(target.begin(), target.end());
    } else {
        out.targets = class_indices(table, columns.target, labels);
    }
    std::vector<const float*> drop_if_missing;
    if (missing_feature == nullptr) {
        for (const int c : drop_row_features(spec, table, columns)) {
            drop_if_missing.push_back(table.columns[c].data());
        }
    }
    for (std::uint32_t r = 0; r < table.rows(); ++r) {
        if (std::isnan(out.targets[r])) {
            ++out.missing_target;
            continue;
        }
        const bool drop =
            missing_feature != nullptr
                ? (*missing_feature)[r] != 0
                : std::any_of(drop_if_missing.begin(), drop_if_missing.end(),
                              [r](const float* column) { return std::isnan(column[r]); });
        if (drop) {
            ++out.missing_feature;
            continue;
        }
        out.kept.push_back(r);
    }
    if (out.kept.empty()) {
        throw DataError(table.source + ": no rows left after dropping rows with missing values",
                        "check data.na_values and data.missing");
    }
    return out;
}

/// The rows of `table` as a Dataset: features through the fitted preprocessor, targets and
/// optional weights.
Dataset encode(const Table& table,
               const std::vector<int>& features,
               const std::vector<float>& targets,
               int weight_column,
               const Preprocessor& preprocessor,
               const std::vector<std::uint32_t>& rows) {
    Dataset out;
    out.n_features = preprocessor.width();
    out.n_rows = static_cast<std::int64_t>(rows.size());
    preprocessor.transform(table, features, rows, out.features, &out.outside_vocabulary);
    out.targets.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) out.targets[i] = targets[rows[i]];
    if (weight_column >= 0) {
        out.weights.resize(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            out.weights[i] = table.columns[weight_column][rows[i]];
        }
    }
    return out;
}

/// Logs a warning for every class that a non-empty split lacks.
void warn_missing_classes(const PreparedData& data, const std::vector<float>& labels) {
    const std::size_t k = data.labels.size();
    const std::pair<const char*, const std::vector<std::uint32_t>*> splits[] = {
        {"train", &data.split.train},
        {"validation", &data.split.validation},
        {"test", &data.split.test}};
    for (const auto& [name, rows] : splits) {
        if (rows->empty()) continue;
        std::vector<bool> seen(k, false);
        for (const auto r : *rows) seen[static_cast<std::size_t>(labels[r])] = true;
        for (std::size_t c = 0; c < k; ++c) {
            if (!seen[c]) {
                spdlog::warn(
                    "class '{}' of '{}' has no rows in the {} split (too few rows of it "
                    "for the split fractions)",
                    data.labels[c], data.target_name, name);
            }
        }
    }
}

/// Cross-validation stratified by class must give every fold a row of each class to validate
/// on: DataError naming the first class with fewer non-test rows than folds.
void check_rows_per_class(const SplitIndices& split,
                          const Rows& rows,
                          const std::vector<std::string>& labels,
                          int folds) {
    std::vector<std::size_t> count(labels.size(), 0);
    for (const auto* part : {&split.train, &split.validation}) {
        for (const auto r : *part) ++count[static_cast<std::size_t>(rows.targets[r])];
    }
    for (std::size_t c = 0; c < labels.size(); ++c) {
        if (count[c] > 0 && count[c] < static_cast<std::size_t>(folds)) {
            throw DataError(fmt::format("class '{}' has {} rows outside the test split, too few "
                                        "for train.cv.folds = {}: each fold validates on every "
                                        "class",
                                        labels[c], count[c], folds),
                            count[c] < 2
                                ? fmt::format("gather more rows of class '{}', or leave its "
                                              "rows out of the file",
                                              labels[c])
                                : fmt::format("lower train.cv.folds to {} or fewer, or gather "
                                              "more rows of class '{}'",
                                              count[c], labels[c]));
        }
    }
}

/// Splits `rows.kept` as split_rows does, returning table row numbers.
SplitIndices split_kept(const DataSpec& spec,
                        const Rows& rows,
                        std::uint64_t seed,
                        const std::vector<std::string>& labels,
                        const CvSpec& cv) {
    std::vector<float> kept_labels;
    if (stratified(spec, labels.empty() ? 0 : static_cast<int>(labels.size()))) {
        for (const auto r : rows.kept) kept_labels.push_back(rows.targets[r]);
    }
    SplitIndices split = split_rows(rows.kept.size(), spec.split, seed,
                                    kept_labels.empty() ? nullptr : &kept_labels, cv);
    for (auto* part : {&split.train, &split.validation, &split.test}) {
        for (auto& i : *part) i = rows.kept[i];
    }
    if (cv.folds > 0 && !kept_labels.empty()) check_rows_per_class(split, rows, labels, cv.folds);
    return split;
}

/// Every column data.columns and data.normalize_columns name must exist (and be a numeric
/// feature, for normalize_columns).
void check_named_columns(const DataSpec& spec, const Table& table, const Columns& columns) {
    for (const auto& [name, type] : spec.columns) require_column(table, name, "data.columns");
    for (const auto& [name, method] : spec.normalize_columns) {
        const int c = require_column(table, name, "data.normalize_columns");
        const bool feature = std::find(columns.features.begin(), columns.features.end(), c) !=
                             columns.features.end();
        if (!feature || table.type(c) != ColumnType::kNumeric) {
            throw DataError(
                fmt::format("{}: data.normalize_columns names '{}', which is not a "
                            "numeric feature column",
                            table.source, name));
        }
    }
}

/// The feature columns' types in `table`, to read other files of the same data alike.
CsvOptions with_types_of(CsvOptions options, const Table& table, const Columns& columns) {
    options.require_typed_columns = false;  // a missing column is reported by name later
    for (const int c : columns.features) {
        options.column_types.emplace_back(table.names[c], table.type(c));
    }
    return options;
}

std::vector<std::string> screened_names(const std::vector<ScreenedColumn>& screened) {
    std::vector<std::string> out;
    for (const auto& s : screened) out.push_back(s.name);
    return out;
}

/// The training CSV is read more than once (parsed, then checksummed for the checkpoint; the
/// cache and `eval` read it again), so it must be a file on disk, not a stream.
void require_regular_file(const std::string& path) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status) || std::filesystem::is_directory(status) ||
        std::filesystem::is_regular_file(status)) {
        return;  // the reader reports a missing file or a directory
    }
    throw DataError("data file '" + path +
                        "' (data.path) is not a regular file (a pipe, device or socket): "
                        "training reads it more than once",
                    "save the data to a file first and point data.path at it");
}

void note_dropped_rows(const Rows& rows, const std::string& target, PreparedData& data) {
    data.dropped_missing_target = rows.missing_target;
    data.dropped_missing_feature = rows.missing_feature;
    if (rows.missing_target > 0) {
        spdlog::warn("dropped {} rows without a value for target '{}'", rows.missing_target,
                     target);
    }
}

void require_features(const Table& table,
                      const Columns& columns,
                      const std::vector<ScreenedColumn>& screened) {
    if (!columns.features.empty()) return;
    throw DataError(table.source + ": no feature columns left after leaving out " +
                        quoted_list(screened_names(screened)),
                    "name the columns to use in data.features");
}

std::int64_t missing_cells(const Column& column) {
    return std::count_if(column.begin(), column.end(), [](float v) { return std::isnan(v); });
}

void encode_separate_files(const DataSpec& spec,
                           const CsvOptions& options,
                           const Columns& columns,
                           int classes,
                           PreparedData& data) {
    auto from_file = [&](const std::string& path, const char* key) {
        const Table other = read_csv(path, with_types_of(options, data.table, columns));
        Columns other_columns;
        for (const auto& name : data.feature_names) {
            other_columns.features.push_back(require_column(other, name, key));
        }
        other_columns.target = require_column(other, data.target_name, key);
        other_columns.weight =
            columns.weight < 0 ? -1 : require_column(other, data.table.names[columns.weight], key);
        if (classes == 0) check_regression_target(other, other_columns.target);
        if (other_columns.weight >= 0) check_weights(other, other_columns.weight);
        const Rows other_rows = usable_rows(spec, other, other_columns, data.labels);
        return encode(other, other_columns.features, other_rows.targets, other_columns.weight,
                      data.preprocessor, other_rows.kept);
    };
    if (!spec.validation_file.empty())
        data.validation = from_file(spec.validation_file, "data.validation_file");
    if (!spec.test_file.empty()) data.test = from_file(spec.test_file, "data.test_file");
}

void normalize_targets(const DataSpec& spec, int classes, PreparedData& data) {
    if (classes != 0 || spec.target_normalize != "standard") return;
    // Fitted on the training rows only, like the features.
    double sum = 0.0, squares = 0.0;
    for (const float y : data.train.targets) sum += y;
    data.target_offset = sum / static_cast<double>(data.train.n_rows);
    for (const float y : data.train.targets) {
        squares += (y - data.target_offset) * (y - data.target_offset);
    }
    const double std = std::sqrt(squares / static_cast<double>(data.train.n_rows));
    data.target_scale = std > 0.0 ? std : 1.0;
    for (Dataset* split : {&data.train, &data.validation, &data.test}) {
        for (float& y : split->targets) {
            y = static_cast<float>((y - data.target_offset) / data.target_scale);
        }
    }
}

}  // namespace dlctl::prepare
