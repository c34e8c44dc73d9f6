#pragma once

#include <string>
#include <vector>

#include "dlctl/data/preprocessor.h"
#include "dlctl/export/onnx_graph.h"

namespace dlctl {

/// The fitted preprocessing of a model as ONNX nodes.
struct OnnxEncoding {
    std::string features;  ///< [N, width] float: the model's inputs, as Preprocessor::transform
    /// [N, 1] bool, true for rows dlctl refuses (a missing cell where the spec allows none, an
    /// unseen category with unseen_categories: error); empty when no row can be refused.
    std::string refused;
};

/// Encodes graph inputs named as `pre`'s columns (1-D, one value a row: float for numeric and
/// boolean columns with NaN for a missing cell, string for categorical ones, where the cells in
/// `na_values` are missing) into the model's inputs.
OnnxEncoding encode_columns(OnnxGraph& g,
                            const Preprocessor& pre,
                            const std::vector<std::string>& na_values);

/// `x` ([N, 1] double) mapped to Φ⁻¹ of its rank among `knots`, as quantile_normal (Acklam's
/// approximation without dlctl's refining step: within 1e-8).
std::string onnx_quantile_normal(OnnxGraph& g,
                                 const std::string& x,
                                 const std::vector<double>& knots);

}  // namespace dlctl
