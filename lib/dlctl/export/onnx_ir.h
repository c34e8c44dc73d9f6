#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dlctl {

/// An ONNX model as plain data, built without the ONNX library; the export module
/// (libdlctl_onnx.so, onnx_module.cpp) turns it into ONNX's protobuf, checks and serializes it.
/// Only `dlctl export` loads that module, so other commands start without ONNX and protobuf.

/// Element types, with onnx::TensorProto::DataType's values.
enum class OnnxType : int {
    kFloat = 1,
    kInt8 = 3,
    kInt64 = 7,
    kString = 8,
    kBool = 9,
    kDouble = 11
};

struct OnnxAttribute {
    enum class Kind { kInt, kFloat, kInts, kStrings };
    std::string name;
    Kind kind = Kind::kInt;
    std::int64_t i = 0;
    float f = 0.0f;
    std::vector<std::int64_t> ints;
    std::vector<std::string> strings;
};

struct OnnxNode {
    std::string op, domain;
    std::vector<std::string> inputs, outputs;
    std::vector<OnnxAttribute> attributes;
};

/// A constant: little-endian bytes of its numbers (`raw`), or its strings.
struct OnnxTensor {
    std::string name;
    OnnxType type = OnnxType::kFloat;
    std::vector<std::int64_t> shape;
    std::string raw;
    std::vector<std::string> strings;
};

/// A graph input or output; -1 in `shape` is the batch dimension "N".
struct OnnxValue {
    std::string name;
    OnnxType type = OnnxType::kFloat;
    std::vector<std::int64_t> shape;
};

struct OnnxModelIr {
    int opset = 17;    ///< the default domain's
    int ml_opset = 3;  ///< ai.onnx.ml's
    std::string producer_version;
    std::string doc;
    std::vector<std::pair<std::string, std::string>> metadata;
    std::vector<OnnxValue> inputs, outputs;
    std::vector<OnnxNode> nodes;
    std::vector<OnnxTensor> initializers;
};

/// The module's entry point: `model` as serialized ONNX in `bytes` once it passes
/// onnx::checker::check_model and shape inference; else false with `error` saying why.
using WriteOnnxFunction = bool (*)(const OnnxModelIr& model,
                                   std::string* bytes,
                                   std::string* error);
inline constexpr const char* kWriteOnnxSymbol = "dlctl_write_onnx_v1";

}  // namespace dlctl
