#include "dlctl/data/dataset.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/core/process_memory.h"
#include "dlctl/core/strings.h"
#include "dlctl/data/column_screening.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_reader.h"
#include "dlctl/data/prepare_steps.h"
#include "dlctl/data/table_cache.h"

namespace dlctl {

Dataset rows_of(const Dataset& data, std::int64_t first, std::int64_t count) {
    DLCTL_CHECK(first >= 0 && count >= 0 && first + count <= data.n_rows);
    const auto rows = [&](const std::vector<float>& v, std::int64_t from, std::int64_t per_row) {
        if (v.empty()) return std::vector<float>{};
        return std::vector<float>(v.begin() + from * per_row, v.begin() + (from + count) * per_row);
    };
    const std::int64_t held = first - data.features_first;
    DLCTL_CHECK(data.features.empty() || (held >= 0 && held + count <= data.feature_rows()));
    Dataset out;
    out.n_features = data.n_features;
    out.n_rows = count;
    out.features = rows(data.features, held, data.n_features);
    out.targets = rows(data.targets, first, 1);
    out.weights = rows(data.weights, first, 1);
    return out;
}

PreparedData prepare_data(const DataSpec& spec, std::uint64_t seed, int classes, const CvSpec& cv) {
    PreparedData data;
    prepare::require_regular_file(spec.path);
    const CsvOptions options = prepare::csv_options(spec, classes);
    const auto started = std::chrono::steady_clock::now();
    data.table = read_csv_cached(spec.path, options, prepare::cache_options(spec));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::error_code ec;
    const double megabytes = static_cast<double>(std::filesystem::file_size(spec.path, ec)) / 1e6;
    spdlog::log(megabytes >= 1.0 ? spdlog::level::info : spdlog::level::debug,
                "read {} rows x {} columns ({:.1f} MB) in {:.3f} s ({:.0f} MB/s); peak memory "
                "so far {:.0f} MB",
                data.table.rows(), data.table.names.size(), megabytes, seconds,
                seconds > 0 ? megabytes / seconds : 0.0,
                static_cast<double>(peak_resident_bytes()) / 1e6);
    const Table& table = data.table;
    prepare::Columns columns = prepare::select_columns(spec, table);
    prepare::check_named_columns(spec, table, columns);
    columns.features = screen_features(spec, table, columns.features, data.screened_columns, true);
    prepare::require_features(table, columns, data.screened_columns);
    if (classes == 0) {
        prepare::check_regression_target(table, columns.target);
    } else {
        data.labels = prepare::label_map(table, columns.target, classes, spec.positive_label);
    }
    if (columns.weight >= 0) prepare::check_weights(table, columns.weight);
    const prepare::Rows rows = prepare::usable_rows(spec, table, columns, data.labels);
    prepare::note_dropped_rows(rows, table.names[columns.target], data);

    data.target_name = table.names[columns.target];
    for (const int c : columns.features) data.feature_names.push_back(table.names[c]);
    data.split = prepare::split_kept(spec, rows, seed, data.labels, cv);
    if (prepare::stratified(spec, classes)) prepare::warn_missing_classes(data, rows.targets);
    data.preprocessor.fit(table, columns.features, data.split.train, feature_options(spec));
    data.rows_read = table.rows();
    for (const int c : columns.features)
        data.feature_missing.push_back(prepare::missing_cells(table.columns[c]));
    const Preprocessor& pre = data.preprocessor;
    data.train = prepare::encode(table, columns.features, rows.targets, columns.weight, pre,
                                 data.split.train);
    data.validation = prepare::encode(table, columns.features, rows.targets, columns.weight, pre,
                                      data.split.validation);
    data.test = prepare::encode(table, columns.features, rows.targets, columns.weight, pre,
                                data.split.test);
    prepare::encode_separate_files(spec, options, columns, classes, data);
    prepare::normalize_targets(spec, classes, data);
    return data;
}

std::vector<std::string>::const_iterator find_label(const std::vector<std::string>& labels,
                                                    const std::string& text) {
    const auto exact = std::find(labels.begin(), labels.end(), text);
    float value = 0.0f, other = 0.0f;
    if (exact != labels.end() || !parse_float(text, value)) return exact;
    return std::find_if(labels.begin(), labels.end(), [&](const std::string& label) {
        return parse_float(label, other) && other == value;
    });
}

Table read_data_table(const DataSpec& spec, int classes) {
    prepare::require_regular_file(spec.path);
    return read_csv_cached(spec.path, prepare::csv_options(spec, classes),
                           prepare::cache_options(spec));
}

int find_target_column(const Table& table, const std::string& target) {
    return prepare::target_column(table, target);
}

namespace {

/// The CSV of `spec` read again as prepare_data reads it, and its usable rows and labels.
struct ReadAgain {
    Table table;
    prepare::Rows rows;
    std::vector<std::string> labels;
};

ReadAgain read_again(const DataSpec& spec, int classes) {
    ReadAgain out;
    prepare::require_regular_file(spec.path);
    out.table = read_csv_cached(spec.path, prepare::csv_options(spec, classes),
                                prepare::cache_options(spec));
    prepare::Columns columns = prepare::select_columns(spec, out.table);
    std::vector<ScreenedColumn> screened;  // as training screened them, so missing: drop_row agrees
    columns.features = screen_features(spec, out.table, columns.features, screened, false);
    if (classes > 0) {
        out.labels = prepare::label_map(out.table, columns.target, classes, spec.positive_label);
    }
    out.rows = prepare::usable_rows(spec, out.table, columns, out.labels);
    return out;
}

}  // namespace

HeldOutRows held_out_rows(const DataSpec& spec, std::uint64_t seed, int classes) {
    ReadAgain data = read_again(spec, classes);
    std::vector<std::uint32_t> test =
        prepare::split_kept(spec, data.rows, seed, data.labels, {}).test;
    return {std::move(data.table), std::move(test)};
}

FoldRows fold_rows(const DataSpec& spec, std::uint64_t seed, int classes, int folds) {
    ReadAgain data = read_again(spec, classes);
    FoldRows out;
    for (int fold = 1; fold <= folds; ++fold) {
        out.validation.push_back(
            prepare::split_kept(spec, data.rows, seed, data.labels, {folds, fold}).validation);
    }
    out.table = std::move(data.table);
    return out;
}

}  // namespace dlctl
