#include "dlctl/export/onnx_preprocessing.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace dlctl {

namespace {

constexpr std::int64_t kMissingNowhere = -2;  ///< a missing cell of a column without a place
constexpr std::int64_t kUnseenNowhere = -3;   ///< an unseen value of a column without __other__

std::string cast(OnnxGraph& g, const std::string& x, OnnxType to) {
    return g.node("Cast", {x}, {cast_to(to)});
}

std::string column_of(OnnxGraph& g, const std::string& input) {
    return g.node("Reshape", {input, g.int64s("column_shape", {2}, {-1, 1})});
}

/// Adds `flag` ([N, 1] bool) to the refused rows.
void refuse_where(OnnxGraph& g, std::string& refused, const std::string& flag) {
    refused = refused.empty() ? flag : g.node("Or", {refused, flag});
}

/// A filled value's piecewise-linear bins, as FeatureColumn::encode_bins ([N, T] double).
std::string bins(OnnxGraph& g, const std::string& x, const std::vector<double>& knots) {
    const auto t = static_cast<std::int64_t>(knots.size() - 1);
    std::vector<double> left(knots.begin(), knots.end() - 1), width, low, high;
    constexpr double kInf = std::numeric_limits<double>::infinity();
    for (std::int64_t i = 0; i < t; ++i) {
        const auto u = static_cast<std::size_t>(i);
        width.push_back(knots[u + 1] - knots[u]);
        low.push_back(i == 0 ? -kInf : 0.0);      // the first bin extends below the edges
        high.push_back(i + 1 == t ? kInf : 1.0);  // and the last above them
    }
    const std::string place =
        g.node("Div", {g.node("Sub", {x, g.doubles("bin_left", {1, t}, left)}),
                       g.doubles("bin_width", {1, t}, width)});
    return g.node("Min", {g.node("Max", {place, g.doubles("bin_low", {1, t}, low)}),
                          g.doubles("bin_high", {1, t}, high)});
}

/// A filled numeric value's features ([N, value_width] double), as FeatureColumn's map.
std::string map_numeric(OnnxGraph& g, const FeatureColumn& f, const std::string& x) {
    switch (f.map) {
        case NumericMap::kQuantile:
            return onnx_quantile_normal(g, x, f.knots);
        case NumericMap::kPiecewiseLinear:
            return bins(g, x, f.knots);
        case NumericMap::kSmoothClip: {
            const std::string z =
                g.node("Div", {g.node("Sub", {x, g.scalar("offset", f.offset, true)}),
                               g.scalar("scale", f.scale, true)});
            const std::string z2 =
                g.node("Div", {g.node("Mul", {z, z}), g.scalar("nine", 9.0, true)});
            return g.node("Div",
                          {z, g.node("Sqrt", {g.node("Add", {g.scalar("one", 1.0, true), z2})})});
        }
        case NumericMap::kAffine:
            break;
    }
    return g.node("Mul", {g.node("Sub", {x, g.scalar("offset", f.offset, true)}),
                          g.scalar("inverse_scale", 1.0 / f.scale, true)});
}

/// A numeric or boolean column's features ([N, width] float).
std::string encode_numeric(OnnxGraph& g, const FeatureColumn& f, std::string& refused) {
    const std::string x = cast(g, column_of(g, f.name), OnnxType::kDouble);
    const std::string missing = g.node("IsNaN", {x});
    std::string filled = x;
    if (f.fill_allowed) {
        filled = g.node("Where", {missing, g.scalar("fill", f.fill, true), x});
    } else {
        refuse_where(g, refused, missing);
    }
    const std::string mapped = cast(g, map_numeric(g, f, filled), OnnxType::kFloat);
    if (!f.indicator) return mapped;
    return g.node("Concat", {mapped, cast(g, missing, OnnxType::kFloat)},
                  {int_attribute("axis", 1)});
}

/// A categorical column's vocabulary index ([N, 1] int64): a value's index, a missing cell's
/// missing_index (else kMissingNowhere), an unseen value's `other` (else kUnseenNowhere).
std::string category_index(OnnxGraph& g,
                           const FeatureColumn& f,
                           const std::vector<std::string>& na_values) {
    std::vector<std::string> keys = f.vocabulary;
    std::vector<std::int64_t> values(keys.size());
    std::iota(values.begin(), values.end(), 0);
    for (const auto& na : na_values) {
        if (std::find(keys.begin(), keys.end(), na) != keys.end()) continue;
        keys.push_back(na);
        values.push_back(f.missing_index >= 0 ? f.missing_index : kMissingNowhere);
    }
    return g.node("LabelEncoder", {column_of(g, f.name)},
                  {strings_attribute("keys_strings", keys), ints_attribute("values_int64s", values),
                   int_attribute("default_int64", f.other >= 0 ? f.other : kUnseenNowhere)},
                  "ai.onnx.ml");
}

/// A categorical column's features: one-hot ([N, vocabulary] float), or the index of an
/// embedded column ([N, 1] float; values without a place take __other__'s).
std::string encode_categorical(OnnxGraph& g,
                               const FeatureColumn& f,
                               const FeatureOptions& options,
                               const std::vector<std::string>& na_values,
                               std::string& refused) {
    const std::string index = category_index(g, f, na_values);
    const bool missing_refused =
        options.missing.categorical == "error" || options.missing.categorical == "drop_row";
    if (f.missing_index < 0 && missing_refused) {
        refuse_where(g, refused,
                     g.node("Equal", {index, g.int64s("code", {1}, {kMissingNowhere})}));
    }
    if (f.other < 0 && options.unseen_categories == "error") {
        refuse_where(g, refused, g.node("Equal", {index, g.int64s("code", {1}, {kUnseenNowhere})}));
    }
    if (f.embedded) {
        const std::string placed =
            g.node("Where", {g.node("Less", {index, g.int64s("zero", {1}, {0})}),
                             g.int64s("other", {1}, {f.other}), index});
        return cast(g, placed, OnnxType::kFloat);
    }
    const auto size = static_cast<std::int64_t>(f.vocabulary.size());
    std::vector<std::int64_t> positions(static_cast<std::size_t>(size));
    std::iota(positions.begin(), positions.end(), 0);
    return cast(g, g.node("Equal", {index, g.int64s("positions", {1, size}, positions)}),
                OnnxType::kFloat);
}

}  // namespace

OnnxEncoding encode_columns(OnnxGraph& g,
                            const Preprocessor& pre,
                            const std::vector<std::string>& na_values) {
    OnnxEncoding out;
    std::vector<std::string> pieces;
    for (const FeatureColumn& f : pre.columns()) {
        pieces.push_back(f.type == ColumnType::kCategorical
                             ? encode_categorical(g, f, pre.options(), na_values, out.refused)
                             : encode_numeric(g, f, out.refused));
    }
    out.features =
        pieces.size() == 1 ? pieces.front() : g.node("Concat", pieces, {int_attribute("axis", 1)});
    return out;
}

}  // namespace dlctl
