#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/export/onnx_export.h"
#include "dlctl/inference/ensemble.h"

namespace dlctl {

/// How an exported graph's outputs compare with dlctl's own on the same rows.
struct OnnxComparison {
    std::int64_t rows = 0;
    /// Largest |onnx - dlctl| over every output value, relative to max(1, |dlctl|): class
    /// probabilities, or the prediction in the target's units.
    double largest_difference = 0.0;
    std::int64_t worst_row = -1;        ///< 0-based data row of it
    std::int64_t label_mismatches = 0;  ///< classifiers: rows whose label differs
    std::string runtime;                ///< e.g. "onnxruntime 1.20.1"
};

/// Runs the exported `model` with ONNX Runtime (the `onnxruntime` package of the Python
/// named by $DLCTL_PYTHON, else python3) on the rows of `csv`, as `ensemble` reads them, and
/// `ensemble` on the same rows. UnsupportedError (exit 7) when no such runtime is installed.
OnnxComparison compare_with_onnx_runtime(const OnnxExport& model,
                                         Ensemble& ensemble,
                                         const std::string& csv);

}  // namespace dlctl
