#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "dlctl/export/onnx_ir.h"

namespace dlctl {

/// One attribute of an ONNX node.
OnnxAttribute int_attribute(const std::string& name, std::int64_t value);
OnnxAttribute float_attribute(const std::string& name, float value);
OnnxAttribute ints_attribute(const std::string& name, const std::vector<std::int64_t>& values);
OnnxAttribute strings_attribute(const std::string& name, const std::vector<std::string>& values);
/// Cast's `to` attribute.
OnnxAttribute cast_to(OnnxType type);

/// A row-major rows × cols matrix transposed (cols × rows).
std::vector<float> transposed(const std::vector<float>& values,
                              std::int64_t rows,
                              std::int64_t cols);

/// Adds nodes and constants to an ONNX model under names that never collide: every value gets a
/// name from a hint and a counter, so a member of an ensemble can reuse the code of another.
class OnnxGraph {
  public:
    /// `int8`: weights() stores int8 values (see there).
    OnnxGraph(OnnxModelIr& model, bool int8) : model_(model), int8_(int8) {}

    /// The default domain's opset the graph is written for.
    int opset() const { return model_.opset; }
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
    /// A layer's weight matrix: floats, or with int8 weights, int8 values with a float scale per
    /// index of `axis` (the largest magnitude maps to ±127, zero to 0) and a DequantizeLinear
    /// node: ONNX Runtime's QDQ form, a quarter of the size.
    std::string weights(std::string_view hint,
                        const std::vector<std::int64_t>& shape,
                        const std::vector<float>& values,
                        std::int64_t axis);
    /// A float or double constant of shape [1].
    std::string scalar(std::string_view hint, double value, bool as_double);

    /// A node of `op` (default domain unless `domain`) on `inputs`; the name of its one output.
    std::string node(const std::string& op,
                     std::initializer_list<std::string> inputs,
                     std::initializer_list<OnnxAttribute> attributes = {},
                     const std::string& domain = "");
    std::string node(const std::string& op,
                     const std::vector<std::string>& inputs,
                     std::initializer_list<OnnxAttribute> attributes = {},
                     const std::string& domain = "");

    /// Declares graph inputs and outputs, -1 in `shape` for the batch dimension ("N").
    void input(const std::string& name, OnnxType type, const std::vector<std::int64_t>& shape);
    void output(const std::string& name, OnnxType type, const std::vector<std::int64_t>& shape);
    /// Gives the value `value` the name `name` (an Identity node), for graph outputs.
    void rename(const std::string& value, const std::string& name);

  private:
    /// A name no value of this graph has yet, from `hint`.
    std::string fresh(std::string_view hint);
    OnnxTensor& initializer(std::string_view hint,
                            const std::vector<std::int64_t>& shape,
                            OnnxType type,
                            std::size_t values);

    OnnxModelIr& model_;
    bool int8_ = false;
    std::unordered_set<std::string> used_;
    std::int64_t counter_ = 0;
};

}  // namespace dlctl
