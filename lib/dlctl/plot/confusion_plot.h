#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dlctl::plot {

/// A confusion matrix (rows: actual class, columns: predicted) as an SVG heatmap: each cell
/// holds its count and its share of the actual class, shaded by that share.
std::string confusion_svg(const std::string& title,
                          const std::vector<std::string>& labels,
                          const std::vector<std::vector<std::int64_t>>& matrix);

}  // namespace dlctl::plot
