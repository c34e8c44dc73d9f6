#pragma once

#include <map>
#include <string>
#include <vector>

namespace dlctl {

/// An exported graph's inputs, by name: numeric and boolean columns' floats (NaN when missing),
/// categorical columns' strings ("" when missing).
struct OnnxInputs {
    std::map<std::string, std::vector<float>> numbers;
    std::map<std::string, std::vector<std::string>> strings;
};

/// What ONNX Runtime computed: `probabilities` or `prediction`, row after row, and a classifier's
/// labels.
struct OnnxRuntimeOutputs {
    std::vector<float> values;
    std::vector<std::string> labels;
    std::string runtime;  ///< e.g. "onnxruntime 1.20.1"
};

/// Runs the serialized ONNX `model` on `inputs` with ONNX Runtime: the `onnxruntime` package of
/// the Python named by $DLCTL_PYTHON, else python3, in a child process over a scratch directory.
/// UnsupportedError (exit 7) when no such Python or runtime is installed; an internal error when
/// the runtime fails on the graph.
OnnxRuntimeOutputs run_in_onnx_runtime(const std::string& model, const OnnxInputs& inputs);

}  // namespace dlctl
