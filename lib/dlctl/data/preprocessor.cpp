#include "dlctl/data/preprocessor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#include "dlctl/core/error.h"
#include "dlctl/data/numeric_maps.h"

namespace dlctl {

namespace {

constexpr const char* kOther = "__other__";
/// The most categories an embedded column keeps (the most frequent); rarer ones are __other__.
constexpr std::size_t kMaxEmbeddedCategories = 100000;
constexpr std::size_t kQuantileKnots = 1000;  ///< as scikit-learn's QuantileTransformer
constexpr const char* kMissingCategory = "__missing__";

/// Distinct training quantiles at bins + 1 evenly spaced ranks: the edges of up to `bins` bins
/// that hold about as many training values each. A constant column gets one bin of width 1, or
/// wider where 1 would vanish in the value's rounding (|v| ≥ 2^53).
std::vector<double> bin_edges(const std::vector<double>& sorted, std::size_t bins) {
    std::vector<double> edges = rank_knots(sorted, bins + 1);
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    if (edges.size() < 2) {
        const double v = sorted.front();
        edges = {v, v + std::max(1.0, std::abs(v) * 0x1p-20)};
    }
    DLCTL_CHECK(std::adjacent_find(edges.begin(), edges.end(), std::greater_equal<>()) ==
                edges.end());
    return edges;
}

void fit_numeric(FeatureColumn& f,
                 const Column& column,
                 const std::vector<std::uint32_t>& rows,
                 const FeatureOptions& options,
                 const std::string& source) {
    std::vector<double> values;
    values.reserve(rows.size());
    for (const auto r : rows) {
        if (!std::isnan(column[r])) values.push_back(column[r]);
    }
    if (values.empty()) {
        throw DataError(fmt::format("{}: column '{}' has no values in the training rows (every "
                                    "cell is missing)",
                                    source, f.name),
                        "drop the column (data.drop)");
    }
    std::string method = options.normalize;
    for (const auto& [name, override] : options.normalize_columns) {
        if (name == f.name) method = override;
    }
    // Quantiles need the values sorted; the other statistics do not.
    const std::string& strategy = options.missing.numeric;
    if (strategy == "median" || method == "robust" || method == "quantile" ||
        method == "smooth_clip" || method == "piecewise_linear") {
        std::sort(values.begin(), values.end());
    }
    const double n = static_cast<double>(values.size());
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
    f.fill_allowed = strategy == "mean" || strategy == "median" || strategy == "constant";
    f.fill = strategy == "median"     ? sorted_quantile(values, 0.5)
             : strategy == "constant" ? options.missing.fill_value
                                      : mean;
    f.indicator = options.missing.indicators && values.size() < rows.size();
    if (f.type == ColumnType::kBoolean) return;  // stays 0/1
    double offset = 0.0, scale = 1.0;
    if (method == "standard") {
        double squares = 0.0;
        for (const double v : values) squares += (v - mean) * (v - mean);
        offset = mean;
        scale = std::sqrt(squares / n);
    } else if (method == "minmax") {
        const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
        offset = *lo;
        scale = *hi - *lo;
    } else if (method == "robust") {  // scikit-learn's RobustScaler: median and IQR
        offset = sorted_quantile(values, 0.5);
        scale = sorted_quantile(values, 0.75) - sorted_quantile(values, 0.25);
    } else if (method == "quantile") {
        f.map = NumericMap::kQuantile;
        f.knots = rank_knots(values, kQuantileKnots);
    } else if (method == "piecewise_linear") {
        f.map = NumericMap::kPiecewiseLinear;
        f.knots = bin_edges(values, static_cast<std::size_t>(options.bins));
    } else if (method == "smooth_clip") {  // RealMLP: the IQR, else half the range
        f.map = NumericMap::kSmoothClip;
        offset = sorted_quantile(values, 0.5);
        scale = sorted_quantile(values, 0.75) - sorted_quantile(values, 0.25);
        if (!(scale > 0.0)) scale = (values.back() - values.front()) / 2.0;
    } else {
        DLCTL_CHECK(method == "none");
    }
    f.offset = offset;
    f.scale = scale > 0.0 && std::isfinite(scale) ? scale : 1.0;
}

void fit_categorical(FeatureColumn& f,
                     const Column& values,
                     const std::vector<std::string>& categories,
                     const std::vector<std::uint32_t>& rows,
                     const FeatureOptions& options,
                     const std::string& source) {
    std::vector<std::int64_t> counts(categories.size(), 0);
    std::int64_t missing = 0;
    for (const auto r : rows) {
        const float v = values[r];
        if (std::isnan(v)) {
            ++missing;
        } else {
            ++counts[static_cast<std::size_t>(v)];
        }
    }
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] > 0) order.push_back(i);
    }
    if (order.empty()) {
        throw DataError(fmt::format("{}: column '{}' has no values in the training rows (every "
                                    "cell is missing)",
                                    source, f.name),
                        "drop the column (data.drop)");
    }
    // Most frequent first; ties in order of appearance.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return counts[a] > counts[b]; });
    f.embedded = options.embed_categories > 0 &&
                 order.size() > static_cast<std::size_t>(options.embed_categories);
    std::size_t cap = options.max_categories > 0 ? static_cast<std::size_t>(options.max_categories)
                                                 : order.size();
    if (f.embedded) {
        // Values seen once share __other__ with unseen ones, so that its embedding is trained.
        cap = 0;
        while (cap < std::min(order.size(), kMaxEmbeddedCategories) && counts[order[cap]] > 1) {
            ++cap;
        }
    }
    for (std::size_t i = 0; i < std::min(cap, order.size()); ++i) {
        f.vocabulary.push_back(categories[order[i]]);
    }
    if (order.size() > cap || f.embedded) {
        f.other = static_cast<int>(f.vocabulary.size());
        f.vocabulary.push_back(kOther);
    }
    const std::string& strategy = options.missing.categorical;
    auto index_of = [&](const std::string& value) {
        const auto it = std::find(f.vocabulary.begin(), f.vocabulary.end(), value);
        if (it != f.vocabulary.end()) return static_cast<int>(it - f.vocabulary.begin());
        f.vocabulary.push_back(value);
        return static_cast<int>(f.vocabulary.size() - 1);
    };
    if (strategy == "mode") {
        f.missing_index = 0;
    } else if (strategy == "constant") {
        f.missing_index = index_of(options.missing.fill_category);
    } else if (strategy == "missing_category" && missing > 0) {
        f.missing_index = index_of(kMissingCategory);
    }
    // missing_category without missing training cells: a later missing cell is unseen.
}

[[noreturn]] void cell_error(const Table& table,
                             std::uint32_t row,
                             const std::string& column,
                             const std::string& problem,
                             const std::string& hint) {
    throw DataError(
        fmt::format("{}:{}: column '{}': {}", table.source, table.lines[row], column, problem),
        hint);
}

/// A feature's "map" and "knots" (absent: affine), checked.
void read_numeric_map(const nlohmann::json& feature, FeatureColumn& f) {
    const auto map = feature.find("map");
    if (map == feature.end()) return;
    const std::string name = map->get<std::string>();
    if (name == "smooth_clip") {
        f.map = NumericMap::kSmoothClip;
        return;
    }
    if (name != "quantile" && name != "piecewise_linear") {
        throw std::invalid_argument("feature '" + f.name + "' has an unknown map '" + name + "'");
    }
    const bool bins = name == "piecewise_linear";
    f.map = bins ? NumericMap::kPiecewiseLinear : NumericMap::kQuantile;
    f.knots = feature.at("knots").get<std::vector<double>>();
    const bool finite =
        std::all_of(f.knots.begin(), f.knots.end(), [](double v) { return std::isfinite(v); });
    // Bin edges rise strictly: a bin of width 0 would divide by zero.
    const bool ordered = bins ? std::adjacent_find(f.knots.begin(), f.knots.end(),
                                                   std::greater_equal<>()) == f.knots.end()
                              : std::is_sorted(f.knots.begin(), f.knots.end());
    if (f.knots.size() < (bins ? 2u : 1u) || !finite || !ordered) {
        throw std::invalid_argument("feature '" + f.name + "' has invalid " +
                                    (bins ? "bin edges" : "quantile knots"));
    }
}

}  // namespace

FeatureOptions feature_options(const DataSpec& spec) {
    return {spec.normalize,       spec.bins,           spec.normalize_columns,
            spec.missing,         spec.max_categories, spec.unseen_categories,
            spec.embed_categories};
}

double FeatureColumn::map_value(double x) const {
    switch (map) {
        case NumericMap::kQuantile:
            return quantile_normal(knots, x);
        case NumericMap::kSmoothClip:
            return smooth_clip((x - offset) / scale);
        case NumericMap::kAffine:
        case NumericMap::kPiecewiseLinear:
            break;
    }
    return (x - offset) / scale;
}

std::int64_t FeatureColumn::value_width() const {
    return map == NumericMap::kPiecewiseLinear ? static_cast<std::int64_t>(knots.size()) - 1 : 1;
}

void FeatureColumn::encode_bins(double x, float* out) const {
    const std::size_t bins = knots.size() - 1;
    for (std::size_t t = 0; t < bins; ++t) {
        double v = (x - knots[t]) / (knots[t + 1] - knots[t]);
        // The first bin extends below the training values and the last above them.
        if (t > 0) v = std::max(v, 0.0);
        if (t + 1 < bins) v = std::min(v, 1.0);
        out[t] = static_cast<float>(v);
    }
}

std::int64_t FeatureColumn::width() const {
    if (type == ColumnType::kCategorical) {
        return embedded ? 1 : static_cast<std::int64_t>(vocabulary.size());
    }
    return value_width() + (indicator ? 1 : 0);
}

void Preprocessor::fit(const Table& table,
                       const std::vector<int>& feature_columns,
                       const std::vector<std::uint32_t>& train_rows,
                       const FeatureOptions& options,
                       const ColumnLoader& load) {
    DLCTL_CHECK(!train_rows.empty());
    options_ = options;
    feature_columns_ = feature_columns;
    columns_.clear();
    // The statistics do not depend on the order of the rows: in table order, each column is read
    // front to back instead of at random.
    std::vector<std::uint32_t> rows = train_rows;
    std::sort(rows.begin(), rows.end());
    for (const int c : feature_columns) {
        FeatureColumn f;
        f.name = table.names[c];
        f.type = table.type(c);
        const Column& values = load ? load(c) : table.columns[c];
        if (f.type == ColumnType::kCategorical) {
            fit_categorical(f, values, table.categories[c], rows, options, table.source);
        } else {
            fit_numeric(f, values, rows, options, table.source);
        }
        columns_.push_back(std::move(f));
    }
}

void Preprocessor::fit(const Table& table,
                       const std::vector<int>& feature_columns,
                       const std::vector<std::uint32_t>& train_rows,
                       const std::string& method) {
    FeatureOptions options;
    options.normalize = method;
    fit(table, feature_columns, train_rows, options);
}

void Preprocessor::transform(const Table& table,
                             const std::vector<std::uint32_t>& rows,
                             std::vector<float>& out) const {
    transform(table, feature_columns_, rows, out);
}

void Preprocessor::transform(const Table& table,
                             const std::vector<int>& columns,
                             const std::vector<std::uint32_t>& rows,
                             std::vector<float>& out,
                             std::vector<std::int64_t>* outside_vocabulary) const {
    DLCTL_CHECK(columns.size() == columns_.size());
    if (outside_vocabulary != nullptr) outside_vocabulary->assign(columns_.size(), 0);
    const auto width = static_cast<std::size_t>(this->width());
    out.assign(width * rows.size(), 0.0f);
    // Per categorical column: the table's own category indices → vocabulary positions (-1:
    // unseen).
    std::vector<std::vector<int>> maps(columns_.size());
    for (std::size_t k = 0; k < columns_.size(); ++k) {
        const FeatureColumn& f = columns_[k];
        DLCTL_CHECK((f.type == ColumnType::kCategorical) ==
                    (table.type(columns[k]) == ColumnType::kCategorical));
        if (f.type != ColumnType::kCategorical) continue;
        std::unordered_map<std::string, int> position;
        for (std::size_t v = 0; v < f.vocabulary.size(); ++v) {
            position.emplace(f.vocabulary[v], static_cast<int>(v));
        }
        for (const auto& category : table.categories[columns[k]]) {
            const auto it = position.find(category);
            maps[k].push_back(it == position.end() ? -1 : it->second);
        }
    }
    // The rows are taken in table order (a split's rows are shuffled: reading them in that order
    // would fetch a cache line from every column per row), in blocks whose encoded rows stay in
    // cache while every column writes into them.
    std::vector<std::uint32_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return rows[a] < rows[b]; });
    constexpr std::size_t kBlockRows = 64;
    for (std::size_t j0 = 0; j0 < order.size(); j0 += kBlockRows) {
        const std::size_t j1 = std::min(order.size(), j0 + kBlockRows);
        std::size_t first = 0;  // the column's first feature
        for (std::size_t k = 0; k < columns_.size(); ++k) {
            const FeatureColumn& f = columns_[k];
            const Column& column = table.columns[columns[k]];
            if (f.type != ColumnType::kCategorical) {
                const double inv_scale = 1.0 / f.scale;
                // Two loops: the affine one (most columns) stays free of the maps' calls.
                auto encode = [&](auto mapped) {
                    for (std::size_t j = j0; j < j1; ++j) {
                        const std::size_t i = order[j];
                        double x = column[rows[i]];
                        const bool missing = std::isnan(x);
                        if (missing) {
                            if (!f.fill_allowed) {
                                cell_error(table, rows[i], f.name, "missing value",
                                           "data.missing.numeric is " + options_.missing.numeric +
                                               "; fill the cell or choose mean, median or "
                                               "constant");
                            }
                            x = f.fill;
                        }
                        if constexpr (decltype(mapped)::value) {
                            if (f.map == NumericMap::kPiecewiseLinear) {
                                f.encode_bins(x, &out[i * width + first]);
                            } else {
                                out[i * width + first] = static_cast<float>(f.map_value(x));
                            }
                        } else {
                            out[i * width + first] = static_cast<float>((x - f.offset) * inv_scale);
                        }
                        if (f.indicator) {
                            out[i * width + first + static_cast<std::size_t>(f.value_width())] =
                                missing ? 1.0f : 0.0f;
                        }
                    }
                };
                if (f.map == NumericMap::kAffine) {
                    encode(std::false_type{});
                } else {
                    encode(std::true_type{});
                }
            } else {
                const std::vector<int>& map = maps[k];
                for (std::size_t j = j0; j < j1; ++j) {
                    const std::size_t i = order[j];
                    const float v = column[rows[i]];
                    int hot = -1;
                    if (std::isnan(v)) {
                        hot = f.missing_index;
                        if (hot < 0 && (options_.missing.categorical == "error" ||
                                        options_.missing.categorical == "drop_row")) {
                            cell_error(
                                table, rows[i], f.name, "missing value",
                                "data.missing.categorical is " + options_.missing.categorical);
                        }
                    } else {
                        hot = map[static_cast<std::size_t>(v)];
                        if (hot < 0) {
                            if (outside_vocabulary != nullptr) ++(*outside_vocabulary)[k];
                            hot = f.other;
                        }
                        if (hot < 0 && options_.unseen_categories == "error") {
                            cell_error(
                                table, rows[i], f.name,
                                fmt::format(
                                    "'{}' is not a category the model was "
                                    "trained on",
                                    table.categories[columns[k]][static_cast<std::size_t>(v)]),
                                "data.unseen_categories: ignore encodes it as all zeros");
                        }
                    }
                    if (f.embedded) {
                        out[i * width + first] = static_cast<float>(hot >= 0 ? hot : f.other);
                    } else if (hot >= 0) {
                        out[i * width + first + static_cast<std::size_t>(hot)] = 1.0f;
                    }
                }
            }
            first += static_cast<std::size_t>(f.width());
        }
    }
}

std::int64_t Preprocessor::width() const {
    std::int64_t total = 0;
    for (const auto& f : columns_) total += f.width();
    return total;
}

std::vector<std::string> Preprocessor::encoded_names() const {
    std::vector<std::string> names;
    for (const auto& f : columns_) {
        if (f.type == ColumnType::kCategorical) {
            if (f.embedded) {
                names.push_back(f.name);
            } else {
                for (const auto& v : f.vocabulary) names.push_back(f.name + "=" + v);
            }
            continue;
        }
        if (f.map == NumericMap::kPiecewiseLinear) {
            for (std::int64_t t = 1; t <= f.value_width(); ++t) {
                names.push_back(fmt::format("{}__bin{}", f.name, t));
            }
        } else {
            names.push_back(f.name);
        }
        if (f.indicator) names.push_back(f.name + "__missing");
    }
    return names;
}

InputKinds Preprocessor::input_kinds() const {
    InputKinds out;
    for (const auto& f : columns_) {
        if (f.type == ColumnType::kCategorical) {
            if (f.embedded) {
                out.push_back(
                    {InputKind::kCategory, static_cast<std::int64_t>(f.vocabulary.size())});
            } else {
                out.insert(out.end(), f.vocabulary.size(), InputKind{});
            }
            continue;
        }
        if (f.type == ColumnType::kBoolean) {
            out.emplace_back();
        } else if (f.map == NumericMap::kPiecewiseLinear) {
            const InputKind bin{InputKind::kBin, f.value_width(),
                                static_cast<std::int64_t>(out.size())};
            out.insert(out.end(), static_cast<std::size_t>(f.value_width()), bin);
        } else {
            out.push_back({InputKind::kNumber});
        }
        if (f.indicator) out.emplace_back();
    }
    return out;
}

std::vector<std::string> Preprocessor::feature_names() const {
    std::vector<std::string> names;
    for (const auto& f : columns_) names.push_back(f.name);
    return names;
}

std::vector<double> Preprocessor::offsets() const {
    std::vector<double> out;
    for (const auto& f : columns_) out.push_back(f.offset);
    return out;
}

std::vector<double> Preprocessor::scales() const {
    std::vector<double> out;
    for (const auto& f : columns_) out.push_back(f.scale);
    return out;
}

std::string Preprocessor::to_json() const {
    nlohmann::json features = nlohmann::json::array();
    for (const auto& f : columns_) {
        nlohmann::json j = {{"name", f.name}, {"type", to_string(f.type)}};
        if (f.type == ColumnType::kCategorical) {
            j["vocabulary"] = f.vocabulary;
            j["other"] = f.other;
            j["missing_index"] = f.missing_index;
            if (f.embedded) j["embedded"] = true;
        } else {
            j["offset"] = f.offset;
            j["scale"] = f.scale;
            if (f.map == NumericMap::kQuantile) {
                j["map"] = "quantile";
                j["knots"] = f.knots;
            } else if (f.map == NumericMap::kSmoothClip) {
                j["map"] = "smooth_clip";
            } else if (f.map == NumericMap::kPiecewiseLinear) {
                j["map"] = "piecewise_linear";
                j["knots"] = f.knots;
            }
            j["fill"] = f.fill_allowed ? nlohmann::json(f.fill) : nlohmann::json(nullptr);
            j["indicator"] = f.indicator;
        }
        features.push_back(j);
    }
    return nlohmann::json{
        {"normalize", options_.normalize},
        {"bins", options_.bins},
        {"missing",
         {{"numeric", options_.missing.numeric}, {"categorical", options_.missing.categorical}}},
        {"unseen_categories", options_.unseen_categories},
        {"features", features}}
        .dump();
}

Preprocessor Preprocessor::from_json(std::string_view text) {
    Preprocessor p;
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        p.options_.normalize = j.at("normalize").get<std::string>();
        p.options_.bins = j.value("bins", 16);
        p.options_.missing.numeric = j.at("missing").at("numeric").get<std::string>();
        p.options_.missing.categorical = j.at("missing").at("categorical").get<std::string>();
        p.options_.unseen_categories = j.at("unseen_categories").get<std::string>();
        for (const auto& feature : j.at("features")) {
            FeatureColumn f;
            f.name = feature.at("name").get<std::string>();
            const auto type = feature.at("type").get<std::string>();
            if (type == "categorical") {
                f.type = ColumnType::kCategorical;
                f.vocabulary = feature.at("vocabulary").get<std::vector<std::string>>();
                f.other = feature.at("other").get<int>();
                f.missing_index = feature.at("missing_index").get<int>();
                f.embedded = feature.value("embedded", false);
                const int size = static_cast<int>(f.vocabulary.size());
                if (f.vocabulary.empty() || f.other < (f.embedded ? 0 : -1) || f.other >= size ||
                    f.missing_index < -1 || f.missing_index >= size) {
                    throw std::invalid_argument("feature '" + f.name +
                                                "' has an invalid vocabulary");
                }
            } else if (type == "numeric" || type == "boolean") {
                f.type = type == "numeric" ? ColumnType::kNumeric : ColumnType::kBoolean;
                f.offset = feature.at("offset").get<double>();
                f.scale = feature.at("scale").get<double>();
                f.fill_allowed = !feature.at("fill").is_null();
                if (f.fill_allowed) f.fill = feature.at("fill").get<double>();
                f.indicator = feature.at("indicator").get<bool>();
                if (!(f.scale > 0.0) || !std::isfinite(f.scale) || !std::isfinite(f.offset)) {
                    throw std::invalid_argument("feature '" + f.name + "' has an invalid scale");
                }
                read_numeric_map(feature, f);
            } else {
                throw std::invalid_argument("feature type '" + type + "' is not supported");
            }
            p.columns_.push_back(std::move(f));
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(e.what());
    }
    if (p.columns_.empty()) throw std::invalid_argument("no features");
    return p;
}

}  // namespace dlctl
