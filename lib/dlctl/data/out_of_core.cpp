#include "dlctl/data/out_of_core.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>

#include "dlctl/core/error.h"
#include "dlctl/core/process_memory.h"
#include "dlctl/core/strings.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/data/column_store.h"
#include "dlctl/data/feature_file.h"
#include "dlctl/data/prepare_steps.h"

namespace dlctl {

using namespace prepare;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kSmallestWindow = 256u << 10, kLargestWindow = 256u << 20;

/// A name for this run's scratch files in the cache directory: `<dir>/<pid>-<n>`.
fs::path scratch_prefix(const DataSpec& spec) {
    static std::atomic<int> runs{0};
    const fs::path dir = table_cache_dir(cache_options(spec)) / "out-of-core";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw IoError("cannot create the out-of-core scratch directory '" + dir.string() +
                          "': " + ec.message(),
                      "point data.cache_dir (or DLCTL_CACHE_DIR) at a writable disk with room");
    }
    return dir / fmt::format("{}-{}", getpid(), runs++);
}

/// UsageError when the rows' share of the budget and the windows do not fit in it.
void check_budget(const MemoryPlan& plan, std::size_t rows) {
    const std::uint64_t per_rows = rows * kOutOfCoreBytesPerRow;
    const std::uint64_t windows = std::max<std::uint64_t>(plan.budget / 4, 6 * plan.window_bytes);
    if (per_rows + windows <= plan.budget) return;
    throw UsageError(
        fmt::format("data.memory_budget {} is too small for {} rows: out of core, dlctl keeps "
                    "{} bytes a row in memory ({}) and windows of the data ({})",
                    byte_size_text(plan.budget), rows, kOutOfCoreBytesPerRow,
                    byte_size_text(per_rows), byte_size_text(windows)),
        fmt::format("raise data.memory_budget to at least {}",
                    byte_size_text((per_rows + windows) * 5 / 4)));
}

/// The file's columns as prepare_data selects and screens them, reading one column at a time
/// into `table` (the store's header; its columns left empty).
Columns select_out_of_core(const DataSpec& spec,
                           const ColumnStore& store,
                           Table& table,
                           PreparedData& data) {
    Columns columns = select_columns(spec, table);
    check_named_columns(spec, table, columns);
    std::vector<int> kept;
    for (const int c : columns.features) {
        table.columns[c] = store.column(c);
        for (const int k : screen_features(spec, table, {c}, data.screened_columns, true)) {
            kept.push_back(k);
        }
        table.columns[c] = Column();
    }
    columns.features = kept;
    if (columns.features.empty()) {
        throw DataError(table.source + ": no feature columns left after leaving out " +
                            quoted_list(screened_names(data.screened_columns)),
                        "name the columns to use in data.features");
    }
    return columns;
}

/// The target (labels checked), weights and rows to keep, as prepare_data finds them; the
/// columns this needs are read into `table` and released again.
Rows usable_out_of_core(const DataSpec& spec,
                        const ColumnStore& store,
                        const Columns& columns,
                        int classes,
                        Table& table,
                        PreparedData& data) {
    std::vector<int> loaded = {columns.target};
    if (columns.weight >= 0) loaded.push_back(columns.weight);
    for (const int c : columns.features) {
        const bool categorical = table.type(c) == ColumnType::kCategorical;
        if ((categorical ? spec.missing.categorical : spec.missing.numeric) == "drop_row") {
            loaded.push_back(c);
        }
    }
    table.lines = store.lines();
    for (const int c : loaded) table.columns[c] = store.column(c);
    if (classes == 0) {
        check_regression_target(table, columns.target);
    } else {
        data.labels = label_map(table, columns.target, classes, spec.positive_label);
    }
    if (columns.weight >= 0) check_weights(table, columns.weight);
    Rows rows = usable_rows(spec, table, columns, data.labels);
    for (const int c : loaded) table.columns[c] = Column();
    table.lines = {};
    return rows;
}

/// The preprocessor fitted on the training rows, one column in memory at a time; each feature
/// column's missing cells counted on the way.
void fit_out_of_core(const DataSpec& spec,
                     const ColumnStore& store,
                     const Table& table,
                     const Columns& columns,
                     PreparedData& data) {
    Column current;
    data.preprocessor.fit(table, columns.features, data.split.train, feature_options(spec),
                          [&](int c) -> const Column& {
                              current = store.column(c);
                              data.feature_missing.push_back(missing_cells(current));
                              return current;
                          });
}

/// Where each row of the file goes: its split (1 train, 2 validation, 3 test; 0 none) and its
/// place in that split.
struct Destinations {
    std::vector<std::uint8_t> split;
    std::vector<std::uint32_t> place;
};

Destinations destinations(const SplitIndices& split, std::size_t rows) {
    Destinations out{std::vector<std::uint8_t>(rows, 0), std::vector<std::uint32_t>(rows, 0)};
    const std::vector<std::uint32_t>* parts[] = {&split.train, &split.validation, &split.test};
    for (std::uint8_t s = 0; s < 3; ++s) {
        for (std::size_t i = 0; i < parts[s]->size(); ++i) {
            out.split[(*parts[s])[i]] = static_cast<std::uint8_t>(s + 1);
            out.place[(*parts[s])[i]] = static_cast<std::uint32_t>(i);
        }
    }
    return out;
}

/// Writes rows of `encoded` (n_features floats each) at `places` of `file`, consecutive places
/// in one write.
void write_at_places(FeatureFile& file,
                     const std::vector<float>& encoded,
                     const std::vector<std::uint32_t>& places) {
    const std::int64_t width = file.n_features();
    for (std::size_t i = 0; i < places.size();) {
        std::size_t run = 1;
        while (i + run < places.size() && places[i + run] == places[i] + run) ++run;
        file.write(places[i], static_cast<std::int64_t>(run), encoded.data() + i * width);
        i += run;
    }
}

/// The splits' Datasets sized, and their feature files (`prefix`.train, ...).
std::vector<std::shared_ptr<FeatureFile>> start_splits(const PreparedData& data,
                                                       const fs::path& prefix,
                                                       Dataset* splits[3]) {
    std::vector<std::shared_ptr<FeatureFile>> files;
    const char* names[] = {".train", ".validation", ".test"};
    const std::vector<std::uint32_t>* parts[] = {&data.split.train, &data.split.validation,
                                                 &data.split.test};
    for (int s = 0; s < 3; ++s) {
        Dataset& d = *splits[s];
        d.n_features = data.preprocessor.width();
        d.n_rows = static_cast<std::int64_t>(parts[s]->size());
        d.targets.resize(parts[s]->size());
        d.outside_vocabulary.assign(data.preprocessor.columns().size(), 0);
        files.push_back(std::make_shared<FeatureFile>(fs::path(prefix.string() + names[s]),
                                                      d.n_features, d.n_rows));
        d.on_disk = files.back();
    }
    return files;
}

/// Encodes the rows of every split, a group of the store and a slice of its rows at a time,
/// into the splits' feature files; targets and weights go to the Datasets in memory.
void encode_out_of_core(const ColumnStore& store,
                        const Columns& columns,
                        const Rows& rows,
                        const MemoryPlan& plan,
                        const fs::path& prefix,
                        PreparedData& data) {
    Dataset* splits[3] = {&data.train, &data.validation, &data.test};
    const auto files = start_splits(data, prefix, splits);
    if (columns.weight >= 0) {
        for (Dataset* d : splits) d->weights.resize(static_cast<std::size_t>(d->n_rows));
    }
    const Destinations to = destinations(data.split, store.rows());
    std::vector<int> needed = columns.features;
    if (columns.weight >= 0) needed.push_back(columns.weight);
    const auto width = static_cast<std::size_t>(data.preprocessor.width());
    const std::size_t slice = std::max<std::size_t>(1, plan.window_bytes / (width * sizeof(float)));
    std::vector<std::uint32_t> local, places;
    std::vector<float> encoded;
    std::vector<std::int64_t> outside;
    for (std::size_t g = 0; g < store.groups(); ++g) {
        const Table window = store.group(g, needed);
        const std::size_t first = store.group_first(g);
        for (std::uint8_t s = 0; s < 3; ++s) {
            for (std::size_t begin = 0; begin < window.rows(); begin += slice) {
                local.clear();
                places.clear();
                for (std::size_t r = begin; r < std::min(window.rows(), begin + slice); ++r) {
                    if (to.split[first + r] != s + 1) continue;
                    local.push_back(static_cast<std::uint32_t>(r));
                    places.push_back(to.place[first + r]);
                }
                if (local.empty()) continue;
                Dataset& d = *splits[s];
                data.preprocessor.transform(window, columns.features, local, encoded, &outside);
                for (std::size_t f = 0; f < outside.size(); ++f)
                    d.outside_vocabulary[f] += outside[f];
                write_at_places(*files[s], encoded, places);
                for (std::size_t i = 0; i < local.size(); ++i) {
                    d.targets[places[i]] = rows.targets[first + local[i]];
                    if (columns.weight >= 0) {
                        d.weights[places[i]] = window.columns[columns.weight][local[i]];
                    }
                }
            }
        }
    }
}

}  // namespace

MemoryPlan plan_memory(const DataSpec& spec) {
    MemoryPlan plan;
    plan.budget = spec.memory_budget == "auto" ? physical_memory_bytes() / 2
                                               : parse_byte_size(spec.memory_budget).value_or(0);
    plan.window_bytes = std::clamp<std::size_t>(plan.budget / 16, kSmallestWindow, kLargestWindow);
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
                                      const MemoryPlan& plan) {
    require_regular_file(spec.path);
    const fs::path prefix = scratch_prefix(spec);
    const CsvOptions options = csv_options(spec, classes);
    const auto started = std::chrono::steady_clock::now();
    const ColumnStore store =
        ColumnStore::write(spec.path, options, prefix.string() + ".columns", plan.window_bytes);
    spdlog::info(
        "read {} rows x {} columns out of core (windows of {}) in {:.1f} s; peak memory "
        "so far {}",
        store.rows(), store.header().names.size(), byte_size_text(plan.window_bytes),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
        byte_size_text(peak_resident_bytes()));
    check_budget(plan, store.rows());
    PreparedData data;
    data.out_of_core = true;
    data.rows_read = store.rows();
    data.table = store.header();
    Table& table = data.table;
    table.columns.assign(table.names.size(), Column());
    const Columns columns = select_out_of_core(spec, store, table, data);
    const Rows rows = usable_out_of_core(spec, store, columns, classes, table, data);
    data.dropped_missing_target = rows.missing_target;
    data.dropped_missing_feature = rows.missing_feature;
    if (rows.missing_target > 0) {
        spdlog::warn("dropped {} rows without a value for target '{}'", rows.missing_target,
                     table.names[columns.target]);
    }
    data.target_name = table.names[columns.target];
    for (const int c : columns.features) data.feature_names.push_back(table.names[c]);
    data.split = split_kept(spec, rows, seed, data.labels, {});
    if (stratified(spec, classes)) warn_missing_classes(data, rows.targets);
    fit_out_of_core(spec, store, table, columns, data);
    encode_out_of_core(store, columns, rows, plan, prefix, data);
    encode_separate_files(spec, options, columns, classes, data);
    normalize_targets(spec, classes, data);
    return data;
}

PreparedData prepare_data_as_planned(const DataSpec& spec, std::uint64_t seed, int classes) {
    const MemoryPlan plan = plan_memory(spec);
    return plan.out_of_core ? prepare_data_out_of_core(spec, seed, classes, plan)
                            : prepare_data(spec, seed, classes);
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
