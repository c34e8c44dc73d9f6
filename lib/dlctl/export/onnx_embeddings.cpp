#include "dlctl/export/onnx_embeddings.h"

#include <cmath>

#include "dlctl/backend/activation.h"
#include "dlctl/export/onnx_activation.h"
#include "dlctl/nn/input_routing.h"

namespace dlctl {

namespace {

std::vector<std::int64_t> as_int64(const std::vector<std::uint32_t>& rows) {
    return {rows.begin(), rows.end()};
}

std::string columns(OnnxGraph& g, const std::string& x, const std::vector<std::int64_t>& rows) {
    return g.node("Gather", {x, g.int64s("inputs", {static_cast<std::int64_t>(rows.size())}, rows)},
                  {int_attribute("axis", 1)});
}

/// [N, m, units] → [N, m · units], input i's units side by side.
std::string flatten(OnnxGraph& g, const std::string& y, std::int64_t values) {
    return g.node("Reshape", {y, g.int64s("shape", {2}, {-1, values})});
}

/// relu(W_i [cos 2πc_i x_i, sin 2πc_i x_i] + b_i) for each numeric input i: [N, m · units].
std::string periodic(OnnxGraph& g,
                     const std::string& x,
                     const std::vector<std::uint32_t>& rows,
                     const LayerSpec& s,
                     const LayerTensorOf& tensor) {
    const auto m = static_cast<std::int64_t>(rows.size());
    const auto k = static_cast<std::int64_t>(s.frequencies),
               units = static_cast<std::int64_t>(s.units);
    std::vector<float> angular = tensor("frequencies").values;  // [k, m]
    for (auto& c : angular) c = static_cast<float>(2.0 * M_PI * c);
    const std::string values = g.node(
        "Unsqueeze", {columns(g, x, as_int64(rows)), g.int64s("axes", {1}, {1})});  // [N, 1, m]
    const std::string z = g.node("Mul", {values, g.floats("frequencies", {k, m}, angular)});
    const std::string waves =
        g.node("Concat", {g.node("Cos", {z}), g.node("Sin", {z})}, {int_attribute("axis", 1)});
    const std::vector<float>& w = tensor("weight").values;  // [units, 2k · m]
    std::vector<float> per_input(static_cast<std::size_t>(m * 2 * k * units));
    for (std::int64_t i = 0; i < m; ++i) {
        for (std::int64_t q = 0; q < 2 * k; ++q) {
            for (std::int64_t u = 0; u < units; ++u) {
                per_input[static_cast<std::size_t>((i * 2 * k + q) * units + u)] =
                    w[static_cast<std::size_t>(u * 2 * k * m + 2 * k * i + q)];
            }
        }
    }
    std::string y =
        g.node("MatMul", {g.node("Transpose", {waves}, {ints_attribute("perm", {2, 0, 1})}),
                          g.weights("periodic_weight", {m, 2 * k, units}, per_input, 2)});
    y = g.node("Transpose", {y}, {ints_attribute("perm", {1, 0, 2})});
    y = g.node("Add", {y, g.floats("periodic_bias", {m, units},
                                   transposed(tensor("bias").values, units, m))});
    return flatten(g, g.node("Relu", {y}), m * units);
}

/// Each category index's row of its column's table: [N, m · units].
std::string category(OnnxGraph& g,
                     const std::string& x,
                     const std::vector<std::uint32_t>& rows,
                     const InputKinds& kinds,
                     const LayerSpec& s,
                     const LayerTensorOf& tensor) {
    const auto m = static_cast<std::int64_t>(rows.size()),
               units = static_cast<std::int64_t>(s.units);
    std::vector<std::int64_t> first;
    std::int64_t total = 0;
    for (const auto r : rows) {
        first.push_back(total);
        total += kinds[r].size;
    }
    const std::string index =
        g.node("Add", {g.node("Cast", {columns(g, x, as_int64(rows))}, {cast_to(OnnxType::kInt64)}),
                       g.int64s("first", {1, m}, first)});
    const std::string table = g.weights("category_table", {total, units},
                                        transposed(tensor("weight").values, units, total), 0);
    return flatten(g, g.node("Gather", {table, index}), m * units);
}

/// act(W_j · bins_j + b_j) for each piecewise-linear column j: [N, columns · units].
std::string bins(OnnxGraph& g,
                 const std::string& x,
                 const std::vector<std::uint32_t>& rows,
                 const InputKinds& kinds,
                 const LayerSpec& s,
                 const LayerTensorOf& tensor) {
    const auto units = static_cast<std::int64_t>(s.units);
    const NamedTensor& w = tensor("weight");  // [units, Σ bins]
    const NamedTensor& b = tensor("bias");    // [units, columns]
    const std::int64_t total = w.shape[1], count = b.shape[1];
    const Activation act = parse_activation(s.activation, s.alpha);
    std::vector<std::string> pieces;
    std::int64_t from = 0, column = 0;
    for (const auto r : rows) {
        if (kinds[r].first != static_cast<std::int64_t>(r)) continue;
        const std::int64_t size = kinds[r].size;
        std::vector<std::int64_t> its_rows(static_cast<std::size_t>(size));
        std::vector<float> wt(static_cast<std::size_t>(size * units)),
            bias(static_cast<std::size_t>(units));
        for (std::int64_t t = 0; t < size; ++t) {
            its_rows[static_cast<std::size_t>(t)] = r + t;
            for (std::int64_t u = 0; u < units; ++u) {
                wt[static_cast<std::size_t>(t * units + u)] =
                    w.values[static_cast<std::size_t>(u * total + from + t)];
            }
        }
        for (std::int64_t u = 0; u < units; ++u) {
            bias[static_cast<std::size_t>(u)] =
                b.values[static_cast<std::size_t>(u * count + column)];
        }
        const std::string y =
            g.node("Gemm", {columns(g, x, its_rows), g.weights("bin_weight", {size, units}, wt, 1),
                            g.floats("bin_bias", {units}, bias)});
        pieces.push_back(emit_activation(g, y, act));
        from += size;
        ++column;
    }
    return pieces.size() == 1 ? pieces.front()
                              : g.node("Concat", pieces, {int_attribute("axis", 1)});
}

}  // namespace

Embedded emit_embedding(OnnxGraph& g,
                        const std::string& x,
                        std::int64_t width,
                        const InputKinds& kinds,
                        const LayerSpec& s,
                        const LayerTensorOf& tensor) {
    const InputKind::Kind kind = s.type == "periodic_embedding"   ? InputKind::kNumber
                                 : s.type == "category_embedding" ? InputKind::kCategory
                                                                  : InputKind::kBin;
    const auto [rows, keep] = inputs_of_kind(kinds, width, kind);
    if (rows.empty()) return {x, width, kinds};  // nothing of its kind: every input passes on
    std::string embedded;
    std::int64_t values = 0;
    if (kind == InputKind::kNumber) {
        embedded = periodic(g, x, rows, s, tensor);
        values = static_cast<std::int64_t>(rows.size()) * s.units;
    } else if (kind == InputKind::kCategory) {
        embedded = category(g, x, rows, kinds, s, tensor);
        values = static_cast<std::int64_t>(rows.size()) * s.units;
    } else {
        embedded = bins(g, x, rows, kinds, s, tensor);
        values = tensor("bias").shape[1] * s.units;
    }
    std::vector<std::int64_t> passed;
    for (std::size_t r = 0; r < keep.size(); ++r) {
        if (keep[r]) passed.push_back(static_cast<std::int64_t>(r));
    }
    Embedded out;
    out.x = passed.empty()
                ? embedded
                : g.node("Concat", {embedded, columns(g, x, passed)}, {int_attribute("axis", 1)});
    out.width = values + static_cast<std::int64_t>(passed.size());
    out.kinds = kinds_after_embedding(kinds, values, keep);
    return out;
}

}  // namespace dlctl
