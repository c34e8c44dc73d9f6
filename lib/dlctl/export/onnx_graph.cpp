#include "dlctl/export/onnx_graph.h"

#include <fmt/format.h>

#include <cstring>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

onnx::AttributeProto attribute(const std::string& name, onnx::AttributeProto::AttributeType type) {
    onnx::AttributeProto a;
    a.set_name(name);
    a.set_type(type);
    return a;
}

template <typename T>
void set_raw(onnx::TensorProto& tensor, const std::vector<T>& values) {
    std::string bytes(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    tensor.set_raw_data(std::move(bytes));  // ONNX stores raw data little-endian, as x86 does
}

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
    std::int64_t n = 1;
    for (const auto d : shape) n *= d;
    return n;
}

void describe_value(onnx::ValueInfoProto& value,
                    const std::string& name,
                    int element,
                    const std::vector<std::int64_t>& shape) {
    value.set_name(name);
    auto* tensor = value.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(element);
    auto* dims = tensor->mutable_shape();
    for (const auto d : shape) {
        auto* dim = dims->add_dim();
        if (d < 0) {
            dim->set_dim_param("N");
        } else {
            dim->set_dim_value(d);
        }
    }
}

}  // namespace

onnx::AttributeProto int_attribute(const std::string& name, std::int64_t value) {
    auto a = attribute(name, onnx::AttributeProto::INT);
    a.set_i(value);
    return a;
}

onnx::AttributeProto float_attribute(const std::string& name, float value) {
    auto a = attribute(name, onnx::AttributeProto::FLOAT);
    a.set_f(value);
    return a;
}

onnx::AttributeProto ints_attribute(const std::string& name, const std::vector<std::int64_t>& v) {
    auto a = attribute(name, onnx::AttributeProto::INTS);
    for (const auto x : v) a.add_ints(x);
    return a;
}

onnx::AttributeProto int64s_attribute(const std::string& name,
                                      const std::vector<std::int64_t>& values) {
    return ints_attribute(name, values);
}

onnx::AttributeProto string_attribute(const std::string& name, const std::string& value) {
    auto a = attribute(name, onnx::AttributeProto::STRING);
    a.set_s(value);
    return a;
}

onnx::AttributeProto strings_attribute(const std::string& name,
                                       const std::vector<std::string>& values) {
    auto a = attribute(name, onnx::AttributeProto::STRINGS);
    for (const auto& s : values) a.add_strings(s);
    return a;
}

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

onnx::TensorProto& OnnxGraph::initializer(std::string_view hint,
                                          const std::vector<std::int64_t>& shape,
                                          int element) {
    onnx::TensorProto& tensor = *graph_.add_initializer();
    tensor.set_name(fresh(hint));
    tensor.set_data_type(element);
    for (const auto d : shape) tensor.add_dims(d);
    return tensor;
}

std::string OnnxGraph::floats(std::string_view hint,
                              const std::vector<std::int64_t>& shape,
                              const std::vector<float>& values) {
    DLCTL_CHECK(element_count(shape) == static_cast<std::int64_t>(values.size()));
    onnx::TensorProto& t = initializer(hint, shape, onnx::TensorProto::FLOAT);
    set_raw(t, values);
    return t.name();
}

std::string OnnxGraph::doubles(std::string_view hint,
                               const std::vector<std::int64_t>& shape,
                               const std::vector<double>& values) {
    DLCTL_CHECK(element_count(shape) == static_cast<std::int64_t>(values.size()));
    onnx::TensorProto& t = initializer(hint, shape, onnx::TensorProto::DOUBLE);
    set_raw(t, values);
    return t.name();
}

std::string OnnxGraph::int64s(std::string_view hint,
                              const std::vector<std::int64_t>& shape,
                              const std::vector<std::int64_t>& values) {
    DLCTL_CHECK(element_count(shape) == static_cast<std::int64_t>(values.size()));
    onnx::TensorProto& t = initializer(hint, shape, onnx::TensorProto::INT64);
    set_raw(t, values);
    return t.name();
}

std::string OnnxGraph::strings(std::string_view hint,
                               const std::vector<std::int64_t>& shape,
                               const std::vector<std::string>& values) {
    DLCTL_CHECK(element_count(shape) == static_cast<std::int64_t>(values.size()));
    onnx::TensorProto& t = initializer(hint, shape, onnx::TensorProto::STRING);
    for (const auto& s : values) t.add_string_data(s);
    return t.name();
}

std::string OnnxGraph::scalar(std::string_view hint, double value, bool as_double) {
    return as_double ? doubles(hint, {1}, {value}) : floats(hint, {1}, {static_cast<float>(value)});
}

std::string OnnxGraph::node(const std::string& op,
                            std::initializer_list<std::string> inputs,
                            std::initializer_list<onnx::AttributeProto> attributes,
                            const std::string& domain) {
    return node(op, std::vector<std::string>(inputs), attributes, domain);
}

std::string OnnxGraph::node(const std::string& op,
                            const std::vector<std::string>& inputs,
                            std::initializer_list<onnx::AttributeProto> attributes,
                            const std::string& domain) {
    onnx::NodeProto& n = *graph_.add_node();
    n.set_op_type(op);
    if (!domain.empty()) n.set_domain(domain);
    for (const auto& in : inputs) n.add_input(in);
    for (const auto& a : attributes) *n.add_attribute() = a;
    const std::string out = fresh(op);
    n.add_output(out);
    n.set_name(out);
    return out;
}

void OnnxGraph::input(const std::string& name,
                      int element,
                      const std::vector<std::int64_t>& shape) {
    used_.insert(name);
    describe_value(*graph_.add_input(), name, element, shape);
}

void OnnxGraph::output(const std::string& name,
                       int element,
                       const std::vector<std::int64_t>& shape) {
    describe_value(*graph_.add_output(), name, element, shape);
}

void OnnxGraph::rename(const std::string& value, const std::string& name) {
    DLCTL_CHECK(used_.insert(name).second);
    onnx::NodeProto& n = *graph_.add_node();
    n.set_op_type("Identity");
    n.add_input(value);
    n.add_output(name);
    n.set_name(name);
}

}  // namespace dlctl
