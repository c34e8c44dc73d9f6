#pragma once

#include <cstdint>

#include "dlctl/backend/backend.h"
#include "dlctl/backend/step_executor.h"
#include "dlctl/data/dataset.h"

namespace dlctl {

/// A split as the trainer walks it, one window of rows at a time. A split in the backend's
/// memory is one window, itself. A split on disk (Dataset::on_disk) is read and uploaded
/// `window_rows` rows at a time into buffers kept from one window to the next, so that only a
/// window of its features is ever in memory.
class SplitWindows {
  public:
    /// `data` as Trainer::upload made it; `window_rows` > 0 for a split on disk.
    SplitWindows(Backend& backend, const DeviceDataset& data, std::int64_t window_rows);

    std::int64_t count() const { return count_; }
    /// The split's rows in window `w` (windows follow each other in the split's order).
    std::int64_t first(std::int64_t w) const { return w * window_rows_; }
    std::int64_t rows(std::int64_t w) const;
    /// Window `w` in the backend's memory, valid until the next load.
    const DeviceDataset& load(std::int64_t w);

  private:
    Backend& backend_;
    const DeviceDataset& data_;
    std::int64_t window_rows_ = 0;
    std::int64_t count_ = 1;
    Dataset host_;  ///< the window read from disk
    DeviceDataset window_;
};

}  // namespace dlctl
