#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "dlctl/data/column_store.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/prepare_steps.h"

namespace dlctl {

/// The order of the encoded rows of each split on disk, which is the order training reads.
struct SplitLayout {
    /// true (train.shuffle): the training rows dealt at random into windows of window_rows, so
    /// that each window, read as a block, is a random sample of them whatever the file's order
    /// (say, sorted by class or time); validation and test rows in file order. false: every split
    /// in its own order, so that training takes an in-memory run's steps.
    bool shuffled = true;
    std::int64_t window_rows = 1;
    std::uint64_t seed = 0;  ///< the experiment's
};

/// Encodes the rows of every split of `data` (split made, preprocessor fitted) from `store`, a
/// group and a slice of its rows at a time, into one feature file per split (`prefix`.train,
/// .validation, .test; Dataset::on_disk) in `layout`'s order; targets and weights go to the
/// Datasets in memory in the same order. Rows bound for the same stretch of a file are gathered
/// in buffers (about `buffer_bytes` in all) and written together.
void encode_to_disk(const ColumnStore& store,
                    const prepare::Columns& columns,
                    const prepare::Rows& rows,
                    const SplitLayout& layout,
                    std::size_t buffer_bytes,
                    const std::filesystem::path& prefix,
                    PreparedData& data);

}  // namespace dlctl
