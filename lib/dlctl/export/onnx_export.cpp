#include "dlctl/export/onnx_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

#include "dlctl/core/build_info.h"
#include "dlctl/core/error.h"
#include "dlctl/core/module_loader.h"
#include "dlctl/export/onnx_graph.h"
#include "dlctl/export/onnx_model.h"
#include "dlctl/export/onnx_preprocessing.h"

namespace dlctl {

namespace {

constexpr int kOnnxMlOpset = 3;  // ai.onnx.ml's, beside opset 17

OnnxType element_of(ColumnType type) {
    return type == ColumnType::kCategorical ? OnnxType::kString : OnnxType::kFloat;
}

/// Declares every member's input columns once, by name; UsageError when members read a
/// column as different types.
void declare_inputs(OnnxGraph& g, const std::vector<const Checkpoint*>& members) {
    std::map<std::string, ColumnType> declared;
    for (const Checkpoint* c : members) {
        for (const FeatureColumn& f : c->preprocessor.columns()) {
            const auto [it, added] = declared.emplace(f.name, f.type);
            if (added) {
                g.input(f.name, element_of(f.type), {-1});
            } else if (element_of(it->second) != element_of(f.type)) {
                throw UsageError(fmt::format(
                    "the checkpoints read column '{}' differently (numeric in one, categorical "
                    "in another): they cannot share one ONNX input",
                    f.name));
            }
        }
    }
}

/// One member's prediction: [N, 1] value in the target's units, [N, 1] P(positive) or [N, K]
/// probabilities; `refused` gains its refused rows.
std::string member_output(OnnxGraph& g, const Checkpoint& c, std::string& refused) {
    const OnnxEncoding encoding = encode_columns(g, c.preprocessor, c.spec.data.na_values);
    if (!encoding.refused.empty()) {
        refused = refused.empty() ? encoding.refused : g.node("Or", {refused, encoding.refused});
    }
    std::string y = emit_model(g, c, encoding.features);
    if (c.task.classes == 0) {
        y = g.node("Add", {g.node("Mul", {y, g.scalar("target_scale", c.task.target_scale, false)}),
                           g.scalar("target_offset", c.task.target_offset, false)});
    }
    return y;
}

std::string with_refusals(OnnxGraph& g, const std::string& y, const std::string& refused) {
    if (refused.empty()) return y;
    return g.node("Where",
                  {refused, g.scalar("nan", std::numeric_limits<double>::quiet_NaN(), false), y});
}

/// The graph's outputs from the members' mean `y`.
void declare_outputs(OnnxGraph& g,
                     const TaskInfo& task,
                     const std::string& y,
                     const std::string& refused) {
    if (task.classes == 0) {
        g.rename(g.node("Reshape", {with_refusals(g, y, refused), g.int64s("rows", {1}, {-1})}),
                 "prediction");
        g.output("prediction", OnnxType::kFloat, {-1});
        return;
    }
    std::string probabilities = y, index;
    if (task.classes == 1) {
        probabilities = g.node("Concat", {g.node("Sub", {g.scalar("one", 1.0, false), y}), y},
                               {int_attribute("axis", 1)});
        // P(positive) >= 0.5 is the positive label, as dlctl predict decides.
        index = g.node("Cast", {g.node("GreaterOrEqual", {y, g.scalar("half", 0.5, false)})},
                       {cast_to(OnnxType::kInt64)});
        index = g.node("Reshape", {index, g.int64s("rows", {1}, {-1})});
    } else {
        index = g.node("ArgMax", {y}, {int_attribute("axis", 1), int_attribute("keepdims", 0)});
    }
    const auto classes = static_cast<std::int64_t>(task.labels.size());
    std::string label = g.node("Gather", {g.strings("labels", {classes}, task.labels), index});
    if (!refused.empty()) {
        const std::string flat = g.node("Reshape", {refused, g.int64s("rows", {1}, {-1})});
        label = g.node("Where", {flat, g.strings("no_label", {1}, {""}), label});
    }
    g.rename(label, "label");
    g.rename(with_refusals(g, probabilities, refused), "probabilities");
    g.output("label", OnnxType::kString, {-1});
    g.output("probabilities", OnnxType::kFloat, {-1, classes});
}

void describe_model(OnnxModelIr& model, const std::vector<const Checkpoint*>& members, bool int8) {
    const TaskInfo& task = members.front()->task;
    model.ml_opset = kOnnxMlOpset;
    model.producer_version = build_info().version;
    model.metadata = {{"task", task.task},
                      {"target", task.target},
                      {"labels", fmt::format("{}", fmt::join(task.labels, "\n"))},
                      {"members", std::to_string(members.size())},
                      {"weights", int8 ? "int8" : "float32"}};
    std::vector<std::string> temperatures;  // of calibrated checkpoints (dlctl calibrate)
    for (const Checkpoint* c : members) {
        temperatures.push_back(
            fmt::format("{}", c->calibration ? c->calibration->temperature : 1.0));
    }
    if (std::any_of(members.begin(), members.end(),
                    [](const Checkpoint* c) { return c->calibration.has_value(); })) {
        model.metadata.emplace_back("temperature",
                                    fmt::format("{}", fmt::join(temperatures, "\n")));
    }
    model.doc =
        "dlctl model with its preprocessing: inputs are the original columns (float, NaN when "
        "missing; string for categorical columns)";
}

WriteOnnxFunction load_writer() {
    static WriteOnnxFunction writer = nullptr;
    if (writer != nullptr) return writer;
    std::string problems;
    void* symbol =
        load_module_symbol("libdlctl_onnx.so", "DLCTL_ONNX_MODULE", kWriteOnnxSymbol, problems);
    if (symbol == nullptr) {
        throw Error(ExitCode::kUnsupported,
                    "cannot load the ONNX export module (libdlctl_onnx.so" + problems + ")",
                    "keep libdlctl_onnx.so next to dlctl, or set DLCTL_ONNX_MODULE to "
                    "its path");
    }
    writer = reinterpret_cast<WriteOnnxFunction>(symbol);
    return writer;
}

std::vector<std::pair<std::string, std::string>> described(const std::vector<OnnxValue>& values) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& v : values) {
        out.emplace_back(v.name, v.type == OnnxType::kString ? "STRING" : "FLOAT");
    }
    return out;
}

}  // namespace

OnnxExport export_onnx(const std::vector<const Checkpoint*>& members, int opset, bool int8) {
    DLCTL_CHECK(!members.empty());
    if (opset < kOldestOnnxOpset || opset > kNewestOnnxOpset) {
        throw UsageError(fmt::format("--opset {} is not one dlctl writes", opset),
                         fmt::format("choose {} to {}", kOldestOnnxOpset, kNewestOnnxOpset));
    }
    OnnxModelIr model;
    model.opset = opset;
    OnnxGraph g(model, int8);
    declare_inputs(g, members);
    for (const char* name : {"label", "probabilities", "prediction"}) {
        for (const auto& in : model.inputs) {
            if (in.name == name) {
                throw UsageError(
                    fmt::format("an input column is named '{}', as an output of the graph is",
                                name),
                    "rename the column and train again");
            }
        }
    }
    std::vector<std::string> outputs;
    std::string refused;
    for (const Checkpoint* c : members) outputs.push_back(member_output(g, *c, refused));
    const std::string mean = outputs.size() == 1 ? outputs.front() : g.node("Mean", outputs);
    declare_outputs(g, members.front()->task, mean, refused);
    describe_model(model, members, int8);
    OnnxExport out;
    std::string error;
    if (!load_writer()(model, &out.bytes, &error)) {
        throw Error(ExitCode::kInternal, "the exported graph fails ONNX's checks: " + error,
                    "this is a bug in dlctl export; please report it with the checkpoint");
    }
    out.inputs = described(model.inputs);
    out.outputs = described(model.outputs);
    return out;
}

}  // namespace dlctl
