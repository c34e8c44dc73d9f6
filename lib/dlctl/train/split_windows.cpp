#include "dlctl/train/split_windows.h"

#include <algorithm>

#include "dlctl/core/error.h"
#include "dlctl/data/feature_file.h"

namespace dlctl {

SplitWindows::SplitWindows(Backend& backend, const DeviceDataset& data, std::int64_t window_rows)
    : backend_(backend), data_(data) {
    const Dataset& host = *data.host;
    if (!host.on_disk) {
        window_rows_ = std::max<std::int64_t>(host.n_rows, 1);
        return;
    }
    DLCTL_CHECK(window_rows > 0);
    window_rows_ = std::min(window_rows, std::max<std::int64_t>(host.n_rows, 1));
    count_ = std::max<std::int64_t>(1, (host.n_rows + window_rows_ - 1) / window_rows_);
    host_.n_features = host.n_features;
    window_.host = &host_;
    window_.features = backend_.allocate(host.n_features * window_rows_);
    window_.targets = backend_.allocate(window_rows_);
    if (!host.weights.empty()) window_.weights = backend_.allocate(window_rows_);
}

std::int64_t SplitWindows::rows(std::int64_t w) const {
    return std::min(window_rows_, data_.host->n_rows - first(w));
}

const DeviceDataset& SplitWindows::load(std::int64_t w) {
    const Dataset& split = *data_.host;
    if (!split.on_disk) return data_;
    const std::int64_t first = this->first(w), rows = this->rows(w);
    host_.n_rows = rows;
    host_.features.resize(static_cast<std::size_t>(rows * split.n_features));
    split.on_disk->read(first, rows, host_.features.data());
    host_.targets.assign(split.targets.begin() + first, split.targets.begin() + first + rows);
    if (!split.weights.empty()) {
        host_.weights.assign(split.weights.begin() + first, split.weights.begin() + first + rows);
        backend_.upload(host_.weights.data(), window_.weights.view(1, rows));
    }
    backend_.upload(host_.features.data(), window_.features.view(split.n_features, rows));
    backend_.upload(host_.targets.data(), window_.targets.view(1, rows));
    window_.shard = RowShard::whole(rows);
    return window_;
}

}  // namespace dlctl
