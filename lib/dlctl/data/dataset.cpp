#include "dlctl/data/dataset.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"
#include "dlctl/data/csv_reader.h"

namespace dlctl {

namespace {

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

/// Checks that the target holds what `classes` asks for (see prepare_data).
void check_target(const Table& table, int target, int classes) {
    if (classes == 0) return;
    const std::vector<float>& y = table.columns[target];
    const int k = classes == 1 ? 2 : classes;
    std::vector<bool> seen(k, false);
    for (std::size_t r = 0; r < y.size(); ++r) {
        const float v = y[r];
        if (v != std::floor(v) || v < 0.0f || v >= static_cast<float>(k)) {
            throw DataError(
                classes == 1
                    ? fmt::format(
                          "{}:{}: target '{}' is {}, but binary_crossentropy needs labels 0 "
                          "and 1",
                          table.source, table.lines[r], table.names[target], v)
                    : fmt::format("{}:{}: target '{}' is {}, but categorical_crossentropy with {} "
                                  "output units needs class indices 0..{}",
                                  table.source, table.lines[r], table.names[target], v, k, k - 1),
                classes == 1 ? "use a regression loss (mse) for a numeric target, or encode the "
                               "classes as 0/1"
                             : "set the last layer's units to the number of classes");
        }
        seen[static_cast<std::size_t>(v)] = true;
    }
    const auto present = std::count(seen.begin(), seen.end(), true);
    if (present < 2) {
        throw DataError(
            fmt::format("{}: target '{}' has a single class; a classifier needs at "
                        "least two",
                        table.source, table.names[target]));
    }
}

/// The rows of `table` as a Dataset: features (columns `features`) through the fitted
/// preprocessor, targets and optional weights.
Dataset encode(const Table& table,
               const std::vector<int>& features,
               int target,
               int weight_column,
               const Preprocessor& preprocessor,
               const std::vector<std::uint32_t>& rows) {
    Dataset out;
    out.n_features = static_cast<std::int64_t>(features.size());
    out.n_rows = static_cast<std::int64_t>(rows.size());
    preprocessor.transform(table, features, rows, out.features);
    out.targets.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) out.targets[i] = table.columns[target][rows[i]];
    if (weight_column >= 0) {
        out.weights.resize(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            out.weights[i] = table.columns[weight_column][rows[i]];
        }
    }
    return out;
}

void check_weights(const Table& table, int column) {
    const std::vector<float>& w = table.columns[column];
    for (std::size_t r = 0; r < w.size(); ++r) {
        if (w[r] < 0.0f) {
            throw DataError(fmt::format("{}:{}: sample weight '{}' is {}; weights must be >= 0",
                                        table.source, table.lines[r], table.names[column], w[r]));
        }
    }
}

/// Logs a warning for every class that a non-empty split lacks.
void warn_missing_classes(const PreparedData& data, const std::vector<float>& labels, int classes) {
    const int k = classes == 1 ? 2 : classes;
    const std::pair<const char*, const std::vector<std::uint32_t>*> splits[] = {
        {"train", &data.split.train},
        {"validation", &data.split.validation},
        {"test", &data.split.test}};
    for (const auto& [name, rows] : splits) {
        if (rows->empty()) continue;
        std::vector<bool> seen(k, false);
        for (const auto r : *rows) seen[static_cast<std::size_t>(labels[r])] = true;
        for (int c = 0; c < k; ++c) {
            if (!seen[c]) {
                spdlog::warn(
                    "class {} of '{}' has no rows in the {} split (too few rows of it "
                    "for the split fractions)",
                    c, data.target_name, name);
            }
        }
    }
}

/// The columns a spec selects from a table.
struct Columns {
    int target = -1;
    int weight = -1;  ///< -1: no sample weights
    std::vector<int> features;
};

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
    return {target, weight_column, features};
}

CsvOptions csv_options(const DataSpec& spec) {
    return {spec.delimiter == "auto" ? '\0' : spec.delimiter.front(), spec.header};
}

bool stratified(const DataSpec& spec, int classes) {
    return classes > 0 &&
           (spec.split.stratify == "true" || (spec.split.stratify == "auto" && spec.split.shuffle));
}

}  // namespace

PreparedData prepare_data(const DataSpec& spec, std::uint64_t seed, int classes) {
    PreparedData data;
    const CsvOptions options = csv_options(spec);
    data.table = read_csv(spec.path, options);
    const Table& table = data.table;
    const auto [target, weight_column, features] = select_columns(spec, table);
    check_target(table, target, classes);
    if (weight_column >= 0) check_weights(table, weight_column);

    data.target_name = table.names[target];
    for (const int c : features) data.feature_names.push_back(table.names[c]);
    const bool stratify = stratified(spec, classes);
    data.split =
        split_rows(table.rows(), spec.split, seed, stratify ? &table.columns[target] : nullptr);
    if (stratify) warn_missing_classes(data, table.columns[target], classes);
    data.preprocessor.fit(table, features, data.split.train, spec.normalize);
    const Preprocessor& pre = data.preprocessor;
    data.train = encode(table, features, target, weight_column, pre, data.split.train);
    data.validation = encode(table, features, target, weight_column, pre, data.split.validation);
    data.test = encode(table, features, target, weight_column, pre, data.split.test);
    // Separate validation / test files: the same columns by name, the training transform.
    auto from_file = [&](const std::string& path, const char* key) {
        const Table other = read_csv(path, options);
        std::vector<int> columns;
        for (const auto& name : data.feature_names)
            columns.push_back(require_column(other, name, key));
        const int other_target = require_column(other, table.names[target], key);
        const int other_weight =
            weight_column < 0 ? -1 : require_column(other, table.names[weight_column], key);
        check_target(other, other_target, classes);
        if (other_weight >= 0) check_weights(other, other_weight);
        std::vector<std::uint32_t> rows(other.rows());
        std::iota(rows.begin(), rows.end(), 0u);
        return encode(other, columns, other_target, other_weight, pre, rows);
    };
    if (!spec.validation_file.empty())
        data.validation = from_file(spec.validation_file, "data.validation_file");
    if (!spec.test_file.empty()) data.test = from_file(spec.test_file, "data.test_file");
    if (classes == 0 && spec.target_normalize == "standard") {
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
    return data;
}

HeldOutRows held_out_rows(const DataSpec& spec, std::uint64_t seed, int classes) {
    HeldOutRows out;
    out.table = read_csv(spec.path, csv_options(spec));
    const Columns columns = select_columns(spec, out.table);
    check_target(out.table, columns.target, classes);
    const bool stratify = stratified(spec, classes);
    out.rows = split_rows(out.table.rows(), spec.split, seed,
                          stratify ? &out.table.columns[columns.target] : nullptr)
                   .test;
    return out;
}

}  // namespace dlctl
