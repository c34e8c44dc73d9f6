#pragma once

#include <cstddef>
#include <cstdint>

#include "dlctl/config/spec.h"
#include "dlctl/data/dataset.h"

namespace dlctl {

/// How a run holds its data: the whole file in memory, or out of core within a budget.
struct MemoryPlan {
    bool out_of_core = false;
    std::uint64_t budget = 0;      ///< bytes (data.memory_budget)
    std::size_t window_bytes = 0;  ///< CSV bytes parsed, then encoded, at a time out of core
};

/// How training will read the data (train.batch_size, train.shuffle), which decides how the
/// training rows are laid out on disk (SplitLayout).
struct TrainingReads {
    std::int64_t batch_size = 32;
    bool shuffle = true;
};

/// Bytes out-of-core preparation and training keep in memory per row of the file (the split's
/// row lists, targets and weights, a column being fitted, the training predictions of an epoch
/// for metrics, more with more classes), counted against the budget with the windows.
std::uint64_t out_of_core_bytes_per_row(int classes);

/// data.in_memory and data.memory_budget resolved for the file of `spec`: the budget "auto" is
/// half the memory this process may use (memory_limit_bytes); in_memory "auto" goes out of core
/// when the file is larger than half the budget (in memory a file takes about twice its size).
MemoryPlan plan_memory(const DataSpec& spec);

/// prepare_data for data larger than memory, with the same result (the same rows, split,
/// fitted preprocessing and encoding) while keeping to plan.budget:
///   1. the CSV is streamed, a window at a time, into a columnar scratch file in the cache
///      directory (ColumnStore; column types fixed by the first window);
///   2. columns are read back one at a time to select, screen and fit them (the split needs
///      only the target);
///   3. each window of rows is encoded into one scratch file of features per split
///      (Dataset::on_disk; encode_to_disk), the training rows dealt into random windows unless
///      `reads` does not shuffle; targets and weights stay in memory.
/// PreparedData::window_rows is then the training windows' size. Throws UsageError naming
/// data.memory_budget when the data does not fit in it, and prepare_data's errors.
/// data.validation_file and data.test_file are read in memory.
PreparedData prepare_data_out_of_core(const DataSpec& spec,
                                      std::uint64_t seed,
                                      int classes,
                                      const MemoryPlan& plan,
                                      const TrainingReads& reads);

/// prepare_data, or prepare_data_out_of_core where plan_memory(spec) says so.
PreparedData prepare_data_as_planned(const DataSpec& spec,
                                     std::uint64_t seed,
                                     int classes,
                                     const TrainingReads& reads = {});

/// Rows of an on-disk split read and uploaded at a time for training: a multiple of
/// `batch_size` (at least one batch) whose features take an eighth of the budget (twice: on the
/// host and on the device); the training and the validation split's windows together take a
/// quarter.
std::int64_t training_window_rows(const MemoryPlan& plan,
                                  std::int64_t n_features,
                                  std::int64_t batch_size);

}  // namespace dlctl
