#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dlctl::plot {

enum class Marks { automatic, lines, points, lines_and_points };

/// One named curve or point cloud. Points whose x or y is not finite (or not positive on a
/// logarithmic axis) are left out.
struct Series {
    explicit Series(std::string label_ = {},
                    Marks marks_ = Marks::automatic,
                    std::string color_ = {})
        : label(std::move(label_)), marks(marks_), color(std::move(color_)) {}
    Series(std::string label_, std::vector<double> x_, std::vector<double> y_)
        : label(std::move(label_)), x(std::move(x_)), y(std::move(y_)) {}

    std::string label;
    std::vector<double> x;
    std::vector<double> y;
    Marks marks = Marks::automatic;  ///< automatic: lines, with points when there are few
    bool dashed = false;
    std::string color;  ///< empty: the palette colour of the series' position
};

/// One chart: axes with labels and ticks, its series and a legend.
struct Panel {
    std::string title;
    std::string x_label;
    std::string y_label;
    std::vector<Series> series;
    bool log_x = false;
    bool log_y = false;
    /// When not empty, x values are indices into these names (a categorical axis).
    std::vector<std::string> x_categories;
    std::optional<std::pair<double, double>> x_range;  ///< fixed; default: the data's range
    std::optional<std::pair<double, double>> y_range;
    bool diagonal = false;  ///< draw the y = x reference line
};

/// Panels laid out in rows of `columns`, under a title.
struct Figure {
    std::string title;
    std::string subtitle;
    std::vector<Panel> panels;
    int columns = 2;
};

/// The figure as a self-contained SVG document.
std::string render_svg(const Figure& figure);

/// The colour of the i-th series (a palette readable by most colour-blind viewers).
const char* palette_color(std::size_t i);

}  // namespace dlctl::plot
