#include "dlctl/export/onnx_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

OnnxAttribute attribute(const std::string& name, OnnxAttribute::Kind kind) {
    OnnxAttribute a;
    a.name = name;
    a.kind = kind;
    return a;
}

/// The little-endian bytes of `values` (as x86 holds them).
template <typename T>
std::string raw_bytes(const std::vector<T>& values) {
    std::string bytes(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

}  // namespace

OnnxAttribute int_attribute(const std::string& name, std::int64_t value) {
    OnnxAttribute a = attribute(name, OnnxAttribute::Kind::kInt);
    a.i = value;
    return a;
}

OnnxAttribute float_attribute(const std::string& name, float value) {
    OnnxAttribute a = attribute(name, OnnxAttribute::Kind::kFloat);
    a.f = value;
    return a;
}

OnnxAttribute ints_attribute(const std::string& name, const std::vector<std::int64_t>& values) {
    OnnxAttribute a = attribute(name, OnnxAttribute::Kind::kInts);
    a.ints = values;
    return a;
}

OnnxAttribute strings_attribute(const std::string& name, const std::vector<std::string>& values) {
    OnnxAttribute a = attribute(name, OnnxAttribute::Kind::kStrings);
    a.strings = values;
    return a;
}

OnnxAttribute cast_to(OnnxType type) { return int_attribute("to", static_cast<int>(type)); }

std::vector<float> transposed(const std::vector<float>& values,
                              std::int64_t rows,
                              std::int64_t cols) {
    std::vector<float> out(values.size());
    for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c) {
            out[static_cast<std::size_t>(c * rows + r)] =
                values[static_cast<std::size_t>(r * cols + c)];
        }
    }
    return out;
}

std::string OnnxGraph::fresh(std::string_view hint) {
    std::string name;
    do {
        name = fmt::format("{}_{}", hint, counter_++);
    } while (!used_.insert(name).second);
    return name;
}

OnnxTensor& OnnxGraph::initializer(std::string_view hint,
                                   const std::vector<std::int64_t>& shape,
                                   OnnxType type,
                                   std::size_t values) {
    std::int64_t count = 1;
    for (const auto d : shape) count *= d;
    DLCTL_CHECK(count == static_cast<std::int64_t>(values));
    OnnxTensor& t = model_.initializers.emplace_back();
    t.name = fresh(hint);
    t.type = type;
    t.shape = shape;
    return t;
}

std::string OnnxGraph::floats(std::string_view hint,
                              const std::vector<std::int64_t>& shape,
                              const std::vector<float>& values) {
    OnnxTensor& t = initializer(hint, shape, OnnxType::kFloat, values.size());
    t.raw = raw_bytes(values);
    return t.name;
}

std::string OnnxGraph::doubles(std::string_view hint,
                               const std::vector<std::int64_t>& shape,
                               const std::vector<double>& values) {
    OnnxTensor& t = initializer(hint, shape, OnnxType::kDouble, values.size());
    t.raw = raw_bytes(values);
    return t.name;
}

std::string OnnxGraph::int64s(std::string_view hint,
                              const std::vector<std::int64_t>& shape,
                              const std::vector<std::int64_t>& values) {
    OnnxTensor& t = initializer(hint, shape, OnnxType::kInt64, values.size());
    t.raw = raw_bytes(values);
    return t.name;
}

std::string OnnxGraph::strings(std::string_view hint,
                               const std::vector<std::int64_t>& shape,
                               const std::vector<std::string>& values) {
    OnnxTensor& t = initializer(hint, shape, OnnxType::kString, values.size());
    t.strings = values;
    return t.name;
}

std::string OnnxGraph::weights(std::string_view hint,
                               const std::vector<std::int64_t>& shape,
                               const std::vector<float>& values,
                               std::int64_t axis) {
    if (!int8_) return floats(hint, shape, values);
    // values[i]'s index along `axis`: (i / inner) % channels, for a row-major shape.
    const auto channels = shape[static_cast<std::size_t>(axis)];
    std::int64_t inner = 1;
    for (auto d = static_cast<std::size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
    std::vector<float> scale(static_cast<std::size_t>(channels), 0.0f);
    auto channel = [&](std::size_t i) {
        return static_cast<std::size_t>((static_cast<std::int64_t>(i) / inner) % channels);
    };
    for (std::size_t i = 0; i < values.size(); ++i) {
        scale[channel(i)] = std::max(scale[channel(i)], std::abs(values[i]) / 127.0f);
    }
    for (auto& s : scale) s = s > 0.0f ? s : 1.0f;
    std::string quantized(values.size(), '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
        const float q = std::nearbyint(values[i] / scale[channel(i)]);
        quantized[i] = static_cast<char>(static_cast<std::int8_t>(std::clamp(q, -127.0f, 127.0f)));
    }
    OnnxTensor& t = initializer(hint, shape, OnnxType::kInt8, values.size());
    t.raw = std::move(quantized);
    const std::string q = t.name;
    OnnxTensor& zero =
        initializer("zero_point", {channels}, OnnxType::kInt8, static_cast<std::size_t>(channels));
    zero.raw.assign(static_cast<std::size_t>(channels), '\0');
    const std::string zero_name = zero.name;
    return node("DequantizeLinear", {q, floats("weight_scale", {channels}, scale), zero_name},
                {int_attribute("axis", axis)});
}

std::string OnnxGraph::scalar(std::string_view hint, double value, bool as_double) {
    return as_double ? doubles(hint, {1}, {value}) : floats(hint, {1}, {static_cast<float>(value)});
}

std::string OnnxGraph::node(const std::string& op,
                            std::initializer_list<std::string> inputs,
                            std::initializer_list<OnnxAttribute> attributes,
                            const std::string& domain) {
    return node(op, std::vector<std::string>(inputs), attributes, domain);
}

std::string OnnxGraph::node(const std::string& op,
                            const std::vector<std::string>& inputs,
                            std::initializer_list<OnnxAttribute> attributes,
                            const std::string& domain) {
    OnnxNode& n = model_.nodes.emplace_back();
    n.op = op;
    n.domain = domain;
    n.inputs = inputs;
    n.attributes = attributes;
    n.outputs = {fresh(op)};
    return n.outputs.front();
}

void OnnxGraph::input(const std::string& name,
                      OnnxType type,
                      const std::vector<std::int64_t>& shape) {
    used_.insert(name);
    model_.inputs.push_back({name, type, shape});
}

void OnnxGraph::output(const std::string& name,
                       OnnxType type,
                       const std::vector<std::int64_t>& shape) {
    model_.outputs.push_back({name, type, shape});
}

void OnnxGraph::rename(const std::string& value, const std::string& name) {
    DLCTL_CHECK(used_.insert(name).second);
    OnnxNode& n = model_.nodes.emplace_back();
    n.op = "Identity";
    n.inputs = {value};
    n.outputs = {name};
}

}  // namespace dlctl
