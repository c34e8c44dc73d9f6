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
#include "dlctl/data/prepare_by_column.h"
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
    const prepare::Fitted fitted = prepare::fit_by_column(spec, seed, classes, store, data);
    data.window_rows = layout_window_rows(plan, data, reads);
    encode_to_disk(store, fitted.columns, fitted.rows, {reads.shuffle, data.window_rows, seed},
                   plan.window_bytes, prefix, data);
    prepare::encode_separate_files(spec, options, fitted.columns, classes, data);
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
