#pragma once

#include <string>
#include <vector>

namespace dlctl::plot {

/// One bar: a name, its value and the half-width of its error bar.
struct ImportanceBar {
    std::string name;
    double mean = 0.0;
    double spread = 0.0;  ///< drawn as mean ± spread; 0: no error bar
};

/// Horizontal bars top to bottom in the order given, with error bars, a line at zero and a
/// value axis labelled `value_label` below them (permutation importance per input column).
std::string importance_svg(const std::string& title,
                           const std::string& subtitle,
                           const std::string& value_label,
                           const std::vector<ImportanceBar>& bars);

}  // namespace dlctl::plot
