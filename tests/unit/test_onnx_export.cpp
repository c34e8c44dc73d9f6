#include <onnx/onnx_pb.h>

#include <catch2/catch.hpp>

#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/core/error.h"
#include "dlctl/data/csv_reader.h"
#include "dlctl/export/onnx_export.h"

using namespace dlctl;
using Catch::Matchers::Contains;

namespace {

Table typed_table(const std::string& text) {
    CsvOptions options;
    options.infer_types = true;
    return read_csv_text("t.csv", text, options);
}

/// A binary classifier over a numeric column `a` and a categorical column `c`.
Checkpoint classifier(
    const std::string& layers = "[{type: dense, units: 1, activation: sigmoid}]") {
    Checkpoint c;
    c.spec = load_spec_from_string("data: {path: d.csv, target: y}\nmodel: {layers: " + layers +
                                       "}\ntrain: {loss: binary_crossentropy}\n",
                                   "spec.yaml", "/");
    const Table table = typed_table("a,c,y\n1,red,0\n3,blue,1\n2,red,1\n");
    FeatureOptions options;
    c.preprocessor.fit(table, {0, 1}, {0, 1, 2}, options);
    c.task = {"binary", 1, "y", {"no", "yes"}, 0.0, 1.0};
    const auto width = c.preprocessor.width();
    c.tensors = {{"layers.0.dense.weight", {1, width}, std::vector<float>(width, 0.5f)},
                 {"layers.0.dense.bias", {1}, {0.25f}}};
    return c;
}

onnx::ModelProto parsed(const std::string& bytes) {
    onnx::ModelProto model;
    REQUIRE(model.ParseFromString(bytes));
    return model;
}

}  // namespace

TEST_CASE("an exported classifier takes the original columns and gives labels and probabilities",
          "[export]") {
    const Checkpoint c = classifier();
    const onnx::ModelProto model = parsed(export_onnx({&c}, kNewestOnnxOpset).bytes);
    const auto& graph = model.graph();
    REQUIRE(graph.input_size() == 2);
    CHECK(graph.input(0).name() == "a");
    CHECK(graph.input(0).type().tensor_type().elem_type() == onnx::TensorProto::FLOAT);
    CHECK(graph.input(1).name() == "c");
    CHECK(graph.input(1).type().tensor_type().elem_type() == onnx::TensorProto::STRING);
    REQUIRE(graph.output_size() == 2);
    CHECK(graph.output(0).name() == "label");
    CHECK(graph.output(1).name() == "probabilities");
    CHECK(graph.output(1).type().tensor_type().shape().dim(1).dim_value() == 2);
    CHECK(model.opset_import(0).version() == kNewestOnnxOpset);
    bool labels = false;
    for (const auto& p : model.metadata_props())
        labels |= p.key() == "labels" && p.value() == "no\nyes";
    CHECK(labels);
    const OnnxExport oldest = export_onnx({&c}, kOldestOnnxOpset);
    CHECK(parsed(oldest.bytes).opset_import(0).version() == kOldestOnnxOpset);
    CHECK(oldest.inputs ==
          std::vector<std::pair<std::string, std::string>>{{"a", "FLOAT"}, {"c", "STRING"}});
}

TEST_CASE("export refuses a layer ONNX cannot express, unknown opsets and disagreeing members",
          "[export]") {
    Checkpoint c = classifier();
    CHECK_THROWS_AS(export_onnx({&c}, kOldestOnnxOpset - 1), UsageError);
    CHECK_THROWS_AS(export_onnx({&c}, kNewestOnnxOpset + 1), UsageError);

    Checkpoint mystery = classifier();
    LayerSpec unknown;
    unknown.type = "mystery";
    mystery.spec.model.layers.insert(mystery.spec.model.layers.begin(), unknown);
    try {
        export_onnx({&mystery}, kNewestOnnxOpset);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::kUnsupported);
        CHECK_THAT(e.what(), Contains("layer 0 (type 'mystery')"));
    }

    Checkpoint other = classifier();
    const Table table = typed_table("a,c,y\nx,1,0\ny,2,1\n");
    other.preprocessor.fit(table, {0, 1}, {0, 1}, FeatureOptions{});
    CHECK_THROWS_WITH(export_onnx({&c, &other}, kNewestOnnxOpset),
                      Contains("read column 'a' differently"));
}

TEST_CASE("int8 export stores weight matrices as int8 with a scale per unit", "[export]") {
    const Checkpoint c = classifier();
    const onnx::ModelProto model = parsed(export_onnx({&c}, kNewestOnnxOpset, true).bytes);
    int dequantize = 0;
    for (const auto& n : model.graph().node()) dequantize += n.op_type() == "DequantizeLinear";
    CHECK(dequantize == 1);
    bool weight = false;
    for (const auto& t : model.graph().initializer()) {
        if (t.data_type() != onnx::TensorProto::INT8 || t.dims_size() != 2) continue;
        weight = true;
        for (const char q : t.raw_data()) CHECK(static_cast<int>(q) == 127);  // 0.5 = 127 · 0.5/127
    }
    CHECK(weight);
    bool labelled = false;
    for (const auto& p : model.metadata_props())
        labelled |= p.key() == "weights" && p.value() == "int8";
    CHECK(labelled);
}
