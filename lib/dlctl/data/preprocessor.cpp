#include "dlctl/data/preprocessor.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dlctl/core/error.h"

namespace dlctl {

void Preprocessor::fit(const Table& table,
                       const std::vector<int>& feature_columns,
                       const std::vector<std::uint32_t>& train_rows,
                       const std::string& method) {
    DLCTL_CHECK(!train_rows.empty());
    method_ = method;
    feature_columns_ = feature_columns;
    offset_.assign(feature_columns.size(), 0.0);
    scale_.assign(feature_columns.size(), 1.0);
    if (method == "none") return;
    for (std::size_t f = 0; f < feature_columns.size(); ++f) {
        const std::vector<float>& column = table.columns[feature_columns[f]];
        double offset = 0.0;
        double scale = 0.0;
        if (method == "standard") {
            double sum = 0.0;
            for (const auto r : train_rows) sum += column[r];
            offset = sum / static_cast<double>(train_rows.size());
            double squares = 0.0;
            for (const auto r : train_rows) squares += (column[r] - offset) * (column[r] - offset);
            scale = std::sqrt(squares / static_cast<double>(train_rows.size()));
        } else if (method == "minmax") {
            double lo = std::numeric_limits<double>::infinity();
            double hi = -lo;
            for (const auto r : train_rows) {
                lo = std::min<double>(lo, column[r]);
                hi = std::max<double>(hi, column[r]);
            }
            offset = lo;
            scale = hi - lo;
        } else {
            DLCTL_CHECK(!"unknown normalization method");
        }
        offset_[f] = offset;
        scale_[f] = scale > 0.0 ? scale : 1.0;
    }
}

void Preprocessor::transform(const Table& table,
                             const std::vector<std::uint32_t>& rows,
                             std::vector<float>& out) const {
    transform(table, feature_columns_, rows, out);
}

void Preprocessor::transform(const Table& table,
                             const std::vector<int>& columns,
                             const std::vector<std::uint32_t>& rows,
                             std::vector<float>& out) const {
    DLCTL_CHECK(columns.size() == feature_columns_.size());
    const std::size_t n_features = columns.size();
    out.resize(n_features * rows.size());
    for (std::size_t f = 0; f < n_features; ++f) {
        const std::vector<float>& column = table.columns[columns[f]];
        const double offset = offset_[f];
        const double inv_scale = 1.0 / scale_[f];
        for (std::size_t i = 0; i < rows.size(); ++i) {
            out[i * n_features + f] = static_cast<float>((column[rows[i]] - offset) * inv_scale);
        }
    }
}

}  // namespace dlctl
