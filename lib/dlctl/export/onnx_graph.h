#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace dlctl {

/// One attribute of an ONNX node.
onnx::AttributeProto int_attribute(const std::string& name, std::int64_t value);
onnx::AttributeProto float_attribute(const std::string& name, float value);
onnx::AttributeProto ints_attribute(const std::string& name, const std::vector<std::int64_t>& v);
onnx::AttributeProto string_attribute(const std::string& name, const std::string& value);
onnx::AttributeProto strings_attribute(const std::string& name,
                                       const std::vector<std::string>& values);
onnx::AttributeProto int64s_attribute(const std::string& name,
                                      const std::vector<std::int64_t>& values);

/// A row-major rows × cols matrix transposed (cols × rows).
std::vector<float> transposed(const std::vector<float>& values,
                              std::int64_t rows,
                              std::int64_t cols);

/// Adds nodes and constants to an ONNX graph under names that never collide: every value gets a
/// name from a hint and a counter, so a member of an ensemble can reuse the code of another.
class OnnxGraph {
  public:
    OnnxGraph(onnx::GraphProto& graph, int opset) : graph_(graph), opset_(opset) {}

    onnx::GraphProto& proto() { return graph_; }
    /// The default domain's opset the graph is written for.
    int opset() const { return opset_; }
    /// A name no value of this graph has yet, from `hint`.
    std::string fresh(std::string_view hint);

    /// Constants (graph initializers) of the given shape, row-major; their names.
    std::string floats(std::string_view hint,
                       const std::vector<std::int64_t>& shape,
                       const std::vector<float>& values);
    std::string doubles(std::string_view hint,
                        const std::vector<std::int64_t>& shape,
                        const std::vector<double>& values);
    std::string int64s(std::string_view hint,
                       const std::vector<std::int64_t>& shape,
                       const std::vector<std::int64_t>& values);
    std::string strings(std::string_view hint,
                        const std::vector<std::int64_t>& shape,
                        const std::vector<std::string>& values);
    /// A scalar-like float or double constant of shape [1].
    std::string scalar(std::string_view hint, double value, bool as_double);

    /// A node of `op` (default domain unless `domain`) on `inputs`; the name of its one output.
    std::string node(const std::string& op,
                     std::initializer_list<std::string> inputs,
                     std::initializer_list<onnx::AttributeProto> attributes = {},
                     const std::string& domain = "");
    std::string node(const std::string& op,
                     const std::vector<std::string>& inputs,
                     std::initializer_list<onnx::AttributeProto> attributes = {},
                     const std::string& domain = "");

    /// Declares graph inputs and outputs: `element` an onnx::TensorProto::DataType, `shape` with
    /// -1 for the batch dimension ("N").
    void input(const std::string& name, int element, const std::vector<std::int64_t>& shape);
    void output(const std::string& name, int element, const std::vector<std::int64_t>& shape);
    /// Gives the value `value` the name `name` (an Identity node), for graph outputs.
    void rename(const std::string& value, const std::string& name);

  private:
    onnx::TensorProto& initializer(std::string_view hint,
                                   const std::vector<std::int64_t>& shape,
                                   int element);

    onnx::GraphProto& graph_;
    int opset_;
    std::unordered_set<std::string> used_;
    std::int64_t counter_ = 0;
};

}  // namespace dlctl
