#pragma once

#include <cstdint>

namespace dlctl {

/// Bins of expected_calibration_error by default, as Guo et al. (2017).
inline constexpr int kCalibrationBins = 15;

/// Expected calibration error of a classifier's probabilities against class indices: the rows
/// binned by their predicted class's probability (the confidence) into `bins` equal-width bins
/// (lower, upper], then Σ over bins of (rows in the bin / rows) · |accuracy − mean confidence|
/// (Guo et al. 2017, "On Calibration of Modern Neural Networks"). `classes`: 1 for binary
/// (`probabilities` holds P(class 1) a row; the prediction is class 1 when it is at least 0.5,
/// the confidence max(p, 1 − p)), K ≥ 2 for multiclass (K probabilities a row, row after row;
/// the prediction is the first most probable class). NaN without rows.
double expected_calibration_error(const float* probabilities,
                                  const float* targets,
                                  std::int64_t count,
                                  int classes,
                                  int bins = kCalibrationBins);

}  // namespace dlctl
