#pragma once

#include <string>
#include <vector>

#include "dlctl/checkpoint/checkpoint.h"

namespace dlctl {

/// Oldest and newest ONNX opsets `dlctl export` writes (the newest: what Debian's ONNX library
/// knows).
inline constexpr int kOldestOnnxOpset = 13;
inline constexpr int kNewestOnnxOpset = 17;

/// One ONNX graph of the ensemble of `members` (one checkpoint: that model), with the fitted
/// preprocessing in it. Inputs: each original column by name, 1-D (float for numeric and boolean
/// columns, NaN when missing; string for categorical ones, a missing cell as "" or one of the
/// spec's data.na_values). Outputs: regression `prediction` (float, the target's units);
/// classifiers `label` (string) and `probabilities` ([N, classes] float, in the order of the
/// model's labels). Rows dlctl would refuse give NaN (and an empty label). The model passes
/// onnx::checker and shape inference (in libdlctl_onnx.so, loaded here). Throws UsageError for
/// members whose columns disagree, UnsupportedError (exit 7) for a layer ONNX cannot express or
/// without the module.
struct OnnxExport {
    std::string bytes;  ///< the serialized model
    /// Input and output names with their element types ("FLOAT", "STRING"), for messages.
    std::vector<std::pair<std::string, std::string>> inputs, outputs;
};
/// `int8`: weight matrices as int8 with a scale per output unit (OnnxGraph::weights).
OnnxExport export_onnx(const std::vector<const Checkpoint*>& members, int opset, bool int8 = false);

}  // namespace dlctl
