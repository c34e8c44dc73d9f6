#include "dlctl/data/preprocessor.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "dlctl/core/error.h"

namespace dlctl {

void Preprocessor::fit(const Table& table,
                       const std::vector<int>& feature_columns,
                       const std::vector<std::uint32_t>& train_rows,
                       const std::string& method) {
    DLCTL_CHECK(!train_rows.empty());
    method_ = method;
    feature_columns_ = feature_columns;
    feature_names_.clear();
    for (const int c : feature_columns) feature_names_.push_back(table.names[c]);
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

std::string Preprocessor::to_json() const {
    nlohmann::json features = nlohmann::json::array();
    for (std::size_t f = 0; f < feature_names_.size(); ++f) {
        features.push_back({{"name", feature_names_[f]},
                            {"type", "numeric"},
                            {"offset", offset_[f]},
                            {"scale", scale_[f]}});
    }
    return nlohmann::json{{"normalize", method_}, {"features", features}}.dump();
}

Preprocessor Preprocessor::from_json(std::string_view text) {
    Preprocessor p;
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        p.method_ = j.at("normalize").get<std::string>();
        for (const auto& feature : j.at("features")) {
            const auto type = feature.at("type").get<std::string>();
            if (type != "numeric") {
                throw std::invalid_argument("feature type '" + type + "' is not supported");
            }
            const double scale = feature.at("scale").get<double>();
            if (!(scale > 0.0) || !std::isfinite(scale)) {
                throw std::invalid_argument("a feature scale is not a positive number");
            }
            p.feature_names_.push_back(feature.at("name").get<std::string>());
            p.offset_.push_back(feature.at("offset").get<double>());
            p.scale_.push_back(scale);
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(e.what());
    }
    if (p.feature_names_.empty()) throw std::invalid_argument("no features");
    return p;
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
    DLCTL_CHECK(columns.size() == offset_.size());
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
