#include "dlctl/data/out_of_core.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "dlctl/core/error.h"
#include "dlctl/core/process_memory.h"
#include "dlctl/core/strings.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/data/column_store.h"
#include "dlctl/data/feature_file.h"
#include "dlctl/data/prepare_steps.h"
#include "dlctl/data/split_files.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kSmallestWindow = 256u << 10, kLargestWindow = 256u << 20;

/// A name for this run's scratch files in the cache directory (unlinked as soon as they are
/// made: the name only needs to be unique while they are created).
fs::path scratch_prefix(const DataSpec& spec) {
    static std::atomic<int> runs{0};
    const fs::path dir = table_cache_dir(prepare::cache_options(spec)) / "out-of-core";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw IoError("cannot create the out-of-core scratch directory '" + dir.string() +
                          "': " + ec.message(),
                      "point data.cache_dir (or DLCTL_CACHE_DIR) at a writable disk with room");
    }
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);  // machines may share the cache directory
    return dir / fmt::format("{}-{}-{}", host, getpid(), runs++);
}

/// The CSV bytes parsed, then encoded, at a time within `budget`.
std::size_t window_bytes_for(std::uint64_t budget) {
    return std::clamp<std::size_t>(budget / 16, kSmallestWindow, kLargestWindow);
}

/// The data's memory out of core: the rows' share and the windows (a fixed part of the budget).
std::uint64_t needed_bytes(std::uint64_t budget, std::size_t rows, int classes) {
    return rows * out_of_core_bytes_per_row(classes) +
           std::max<std::uint64_t>(budget / 4, 6 * window_bytes_for(budget));
}

/// UsageError, naming the smallest budget that would do, when the data does not fit.
void check_budget(const MemoryPlan& plan, std::size_t rows, int classes) {
    const std::uint64_t needed = needed_bytes(plan.budget, rows, classes);
    if (needed <= plan.budget) return;
    std::uint64_t enough = std::max<std::uint64_t>(needed, 1 << 20);
    while (needed_bytes(enough, rows, classes) > enough) enough += enough / 8;
    throw UsageError(
        fmt::format("data.memory_budget {} is too small for {} rows: out of core, dlctl keeps "
                    "about {} bytes a row in memory ({}) and windows of the data",
                    byte_size_text(plan.budget), rows, out_of_core_bytes_per_row(classes),
                    byte_size_text(rows * out_of_core_bytes_per_row(classes))),
        fmt::format("raise data.memory_budget to {} or more", byte_size_text(enough)));
}

/// The file's columns as prepare_data selects and screens them, screening reading one column at
/// a time from the store (`table`: the store's header, its columns left empty).
prepare::Columns select_out_of_core(const DataSpec& spec,
                                    const ColumnStore& store,
                                    const Table& table,
                                    PreparedData& data) {
    prepare::Columns columns = prepare::select_columns(spec, table);
    prepare::check_named_columns(spec, table, columns);
    Column current;
    columns.features = screen_features(spec, table, columns.features, data.screened_columns, true,
                                       [&](int c) -> const Column& {
                                           current = store.column(c);
                                           return current;
                                       });
    prepare::require_features(table, columns, data.screened_columns);
    return columns;
}

/// The target (labels checked), weights and rows to keep, as prepare_data finds them; the
/// columns this needs are read into `table` (drop_row features one at a time) and released.
prepare::Rows usable_out_of_core(const DataSpec& spec,
                                 const ColumnStore& store,
                                 const prepare::Columns& columns,
                                 int classes,
                                 Table& table,
                                 PreparedData& data) {
    std::vector<std::uint8_t> missing_feature(store.rows(), 0);
    for (const int c : prepare::drop_row_features(spec, table, columns)) {
        const Column values = store.column(c);
        for (std::size_t r = 0; r < values.size(); ++r) missing_feature[r] |= std::isnan(values[r]);
    }
    std::vector<int> loaded = {columns.target};
    if (columns.weight >= 0) loaded.push_back(columns.weight);
    table.lines = store.lines();
    for (const int c : loaded) table.columns[c] = store.column(c);
    if (classes == 0) {
        prepare::check_regression_target(table, columns.target);
    } else {
        data.labels = prepare::label_map(table, columns.target, classes, spec.positive_label);
    }
    if (columns.weight >= 0) prepare::check_weights(table, columns.weight);
    prepare::Rows rows = prepare::usable_rows(spec, table, columns, data.labels, &missing_feature);
    for (const int c : loaded) table.columns[c] = Column();
    std::vector<std::uint32_t>().swap(table.lines);  // = {} would keep the capacity
    return rows;
}

/// The preprocessor fitted on the training rows, one column in memory at a time; each feature
/// column's missing cells counted on the way.
void fit_out_of_core(const DataSpec& spec,
                     const ColumnStore& store,
                     const Table& table,
                     const prepare::Columns& columns,
                     PreparedData& data) {
    Column current;
    data.preprocessor.fit(table, columns.features, data.split.train, feature_options(spec),
                          [&](int c) -> const Column& {
                              current = store.column(c);
                              data.feature_missing.push_back(prepare::missing_cells(current));
                              return current;
                          });
}

/// The training windows' rows: as training_window_rows for the batch training will take (the
/// largest split's rows when they are fewer).
std::int64_t layout_window_rows(const MemoryPlan& plan,
                                const PreparedData& data,
                                const TrainingReads& reads) {
    const auto largest = static_cast<std::int64_t>(
        std::max({data.split.train.size(), data.split.validation.size(), data.split.test.size()}));
    const std::int64_t batch = std::max<std::int64_t>(1, std::min(reads.batch_size, largest));
    return training_window_rows(plan, data.preprocessor.width(), batch);
}

}  // namespace

MemoryPlan plan_memory(const DataSpec& spec) {
    MemoryPlan plan;
    plan.budget = spec.memory_budget == "auto" ? memory_limit_bytes() / 2
                                               : parse_byte_size(spec.memory_budget).value_or(0);
    plan.window_bytes = window_bytes_for(plan.budget);
    if (spec.in_memory == "auto") {
        std::error_code ec;
        const std::uintmax_t size = fs::file_size(spec.path, ec);
        plan.out_of_core = !ec && size > plan.budget / 2;
    } else {
        plan.out_of_core = spec.in_memory == "false";
    }
    return plan;
}

PreparedData prepare_data_out_of_core(const DataSpec& spec,
                                      std::uint64_t seed,
                                      int classes,
                                      const MemoryPlan& plan,
                                      const TrainingReads& reads) {
    prepare::require_regular_file(spec.path);
    const fs::path prefix = scratch_prefix(spec);
    const CsvOptions options = prepare::csv_options(spec, classes);
    const auto started = std::chrono::steady_clock::now();
    const ColumnStore store =
        ColumnStore::write(spec.path, options, prefix.string() + ".columns", plan.window_bytes);
    spdlog::info(
        "read {} rows x {} columns out of core (windows of {}) in {:.1f} s; peak memory "
        "so far {}",
        store.rows(), store.header().names.size(), byte_size_text(plan.window_bytes),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
        byte_size_text(peak_resident_bytes()));
    check_budget(plan, store.rows(), classes);
    PreparedData data;
    data.out_of_core = true;
    data.rows_read = store.rows();
    data.table = store.header();
    Table& table = data.table;
    table.columns.assign(table.names.size(), Column());
    const prepare::Columns columns = select_out_of_core(spec, store, table, data);
    const prepare::Rows rows = usable_out_of_core(spec, store, columns, classes, table, data);
    prepare::note_dropped_rows(rows, table.names[columns.target], data);
    data.target_name = table.names[columns.target];
    for (const int c : columns.features) data.feature_names.push_back(table.names[c]);
    data.split = prepare::split_kept(spec, rows, seed, data.labels, {});
    if (prepare::stratified(spec, classes)) prepare::warn_missing_classes(data, rows.targets);
    fit_out_of_core(spec, store, table, columns, data);
    data.window_rows = layout_window_rows(plan, data, reads);
    encode_to_disk(store, columns, rows, {reads.shuffle, data.window_rows, seed}, plan.window_bytes,
                   prefix, data);
    prepare::encode_separate_files(spec, options, columns, classes, data);
    prepare::normalize_targets(spec, classes, data);
    return data;
}

PreparedData prepare_data_as_planned(const DataSpec& spec,
                                     std::uint64_t seed,
                                     int classes,
                                     const TrainingReads& reads) {
    const MemoryPlan plan = plan_memory(spec);
    return plan.out_of_core ? prepare_data_out_of_core(spec, seed, classes, plan, reads)
                            : prepare_data(spec, seed, classes);
}

std::uint64_t out_of_core_bytes_per_row(int classes) {
    return 32 + 8 * static_cast<std::uint64_t>(classes > 1 ? classes : 1);
}

std::int64_t training_window_rows(const MemoryPlan& plan,
                                  std::int64_t n_features,
                                  std::int64_t batch_size) {
    const auto bytes_per_row =
        static_cast<std::uint64_t>(std::max<std::int64_t>(n_features, 1)) * sizeof(float) * 2;
    const auto rows = static_cast<std::int64_t>(plan.budget / 8 / bytes_per_row);
    return std::max<std::int64_t>(1, rows / batch_size) * batch_size;
}

}  // namespace dlctl
