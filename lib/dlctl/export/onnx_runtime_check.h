#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/export/onnx_export.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/metrics/metrics.h"

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

/// An int8 export against its float one on the labelled rows of a CSV.
struct QuantizationReport {
    std::int64_t rows = 0;
    std::string runtime;
    std::vector<std::string> metric_names;  ///< evaluation_metrics of the task, in order
    MetricValues dlctl, full, int8;         ///< dlctl predict's, the float graph's, the int8's
    OnnxComparison difference;              ///< of the int8 graph's outputs from the float one's
};

/// Runs both graphs with ONNX Runtime on the rows of `csv` (which must hold the target) and
/// scores them, and dlctl's own predictions, with eval's metrics (`threshold`: binary decisions).
QuantizationReport compare_quantized(const OnnxExport& full,
                                     const OnnxExport& int8,
                                     Ensemble& ensemble,
                                     const std::string& csv,
                                     double threshold);

}  // namespace dlctl
