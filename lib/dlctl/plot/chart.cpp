#include "dlctl/plot/chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dlctl/plot/axis.h"
#include "dlctl/plot/svg_document.h"

namespace dlctl::plot {

namespace {

constexpr double kPanelWidth = 440.0;
constexpr double kPanelHeight = 300.0;
constexpr double kMarginLeft = 70.0;
constexpr double kMarginRight = 18.0;
constexpr double kMarginTop = 34.0;
constexpr double kMarginBottom = 50.0;
constexpr double kHeaderHeight = 56.0;
constexpr std::size_t kFewPoints = 40;
constexpr const char* kGridColor = "#e3e3e3";
constexpr const char* kAxisColor = "#555555";

bool usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0.0); }

/// The data range of one coordinate over every series, or the fixed range.
Axis make_axis(const Panel& panel, bool is_x) {
    const auto& fixed = is_x ? panel.x_range : panel.y_range;
    const bool log = is_x ? panel.log_x : panel.log_y;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    if (fixed) {
        lo = fixed->first;
        hi = fixed->second;
    } else if (is_x && !panel.x_categories.empty()) {
        lo = 0.0;
        hi = static_cast<double>(panel.x_categories.size() - 1);
    } else {
        for (const Series& s : panel.series) {
            for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
                if (!usable(s.x[i], panel.log_x) || !usable(s.y[i], panel.log_y)) continue;
                const double v = is_x ? s.x[i] : s.y[i];
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    }
    return log ? Axis::logarithmic(lo, hi) : Axis::linear(lo, hi);
}

/// The plot area of a panel and the mapping of data onto it.
struct Frame {
    double left, top, width, height;
    Axis x, y;
    bool categorical;
    Point at(double vx, double vy) const {
        // Categories sit in the middle of equal slots, so the end ones are not on the border.
        const double fx = categorical ? (vx + 0.5) / (x.high() - x.low() + 1.0) : x.fraction(vx);
        return {left + fx * width, top + (1.0 - y.fraction(vy)) * height};
    }
};

void draw_axes(SvgDocument& svg, const Panel& panel, const Frame& f) {
    svg.rect(f.left, f.top, f.width, f.height, "#ffffff", kAxisColor);
    for (const double t : f.y.ticks()) {
        const double py = f.at(f.x.low(), t).y;
        svg.line({f.left, py}, {f.left + f.width, py}, kGridColor);
        svg.line({f.left - 4, py}, {f.left, py}, kAxisColor);
        svg.text({f.left - 7, py + 4}, f.y.label(t), {.size = 11, .anchor = "end"});
    }
    if (f.categorical) {
        const bool rotate = panel.x_categories.size() > 6;
        for (std::size_t i = 0; i < panel.x_categories.size(); ++i) {
            const double px = f.at(static_cast<double>(i), f.y.low()).x;
            svg.line({px, f.top + f.height}, {px, f.top + f.height + 4}, kAxisColor);
            svg.text(
                {px, f.top + f.height + 16}, shorten(panel.x_categories[i], 14),
                {.size = 11, .anchor = rotate ? "end" : "middle", .rotate = rotate ? -30.0 : 0.0});
        }
    } else {
        for (const double t : f.x.ticks()) {
            const double px = f.at(t, f.y.low()).x;
            svg.line({px, f.top}, {px, f.top + f.height}, kGridColor);
            svg.line({px, f.top + f.height}, {px, f.top + f.height + 4}, kAxisColor);
            svg.text({px, f.top + f.height + 16}, f.x.label(t), {.size = 11, .anchor = "middle"});
        }
    }
    svg.rect(f.left, f.top, f.width, f.height, "none", kAxisColor);
    svg.text({f.left + f.width / 2, f.top - 12}, panel.title,
             {.size = 13, .anchor = "middle", .bold = true});
    svg.text({f.left + f.width / 2, f.top + f.height + 38}, panel.x_label,
             {.size = 12, .anchor = "middle"});
    svg.text({f.left - 52, f.top + f.height / 2}, panel.y_label,
             {.size = 12, .anchor = "middle", .rotate = -90});
}

void draw_series(SvgDocument& svg, const Panel& panel, const Frame& f) {
    if (panel.diagonal) {
        const double lo = std::max(f.x.is_log() ? std::pow(10.0, f.x.low()) : f.x.low(),
                                   f.y.is_log() ? std::pow(10.0, f.y.low()) : f.y.low());
        const double hi = std::min(f.x.is_log() ? std::pow(10.0, f.x.high()) : f.x.high(),
                                   f.y.is_log() ? std::pow(10.0, f.y.high()) : f.y.high());
        if (lo < hi) svg.line(f.at(lo, lo), f.at(hi, hi), "#999999", 1.0, true);
    }
    for (std::size_t s = 0; s < panel.series.size(); ++s) {
        const Series& series = panel.series[s];
        const std::string color = series.color.empty() ? palette_color(s) : series.color;
        std::vector<Point> points;
        for (std::size_t i = 0; i < series.x.size() && i < series.y.size(); ++i) {
            if (!usable(series.x[i], panel.log_x) || !usable(series.y[i], panel.log_y)) continue;
            points.push_back(f.at(series.x[i], series.y[i]));
        }
        const Marks marks = series.marks != Marks::automatic ? series.marks
                            : points.size() <= kFewPoints    ? Marks::lines_and_points
                                                             : Marks::lines;
        if (marks != Marks::points) svg.polyline(points, color, 1.8, series.dashed);
        if (marks != Marks::lines) {
            const double radius = marks != Marks::points ? 2.6 : points.size() > 500 ? 1.8 : 4.0;
            for (const Point& p : points) svg.circle(p, radius, color);
        }
    }
}

/// The panel's points in pixels, every series together.
std::vector<Point> drawn_points(const Panel& panel, const Frame& f) {
    std::vector<Point> out;
    for (const Series& s : panel.series) {
        for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            if (usable(s.x[i], panel.log_x) && usable(s.y[i], panel.log_y)) {
                out.push_back(f.at(s.x[i], s.y[i]));
            }
        }
    }
    return out;
}

/// The legend goes into the corner of the plot area that hides the fewest points.
void draw_legend(SvgDocument& svg, const Panel& panel, const Frame& f) {
    std::size_t longest = 0;
    std::size_t labelled = 0;
    for (const Series& s : panel.series) {
        if (s.label.empty()) continue;
        longest = std::max(longest, s.label.size());
        ++labelled;
    }
    if (labelled == 0) return;
    const double width = 34.0 + 6.5 * static_cast<double>(std::min<std::size_t>(longest, 40));
    const double height = 8.0 + 16.0 * static_cast<double>(labelled);
    const std::vector<Point> points = drawn_points(panel, f);
    const double right = f.left + f.width - width - 6, bottom = f.top + f.height - height - 6;
    const Point corners[] = {
        {right, f.top + 6}, {right, bottom}, {f.left + 6, f.top + 6}, {f.left + 6, bottom}};
    Point best = corners[0];
    std::size_t fewest = std::numeric_limits<std::size_t>::max();
    for (const Point& c : corners) {
        const auto hidden = static_cast<std::size_t>(
            std::count_if(points.begin(), points.end(), [&](const Point& p) {
                return p.x >= c.x - 4 && p.x <= c.x + width + 4 && p.y >= c.y - 4 &&
                       p.y <= c.y + height + 4;
            }));
        if (hidden < fewest) {
            fewest = hidden;
            best = c;
        }
    }
    const double left = best.x, top = best.y;
    svg.rect(left, top, width, height, "#ffffff", "#cccccc", 0.85);
    double y = top + 14;
    for (std::size_t s = 0; s < panel.series.size(); ++s) {
        const Series& series = panel.series[s];
        if (series.label.empty()) continue;
        const std::string color = series.color.empty() ? palette_color(s) : series.color;
        if (series.marks == Marks::points) {
            svg.circle({left + 17, y - 4}, 4.0, color);
        } else {
            svg.line({left + 8, y - 4}, {left + 26, y - 4}, color, 2.2, series.dashed);
        }
        svg.text({left + 31, y}, series.label, {.size = 11});
        y += 16;
    }
}

bool has_points(const Panel& panel) {
    for (const Series& s : panel.series) {
        for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            if (usable(s.x[i], panel.log_x) && usable(s.y[i], panel.log_y)) return true;
        }
    }
    return false;
}

}  // namespace

const char* palette_color(std::size_t i) {
    static constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                               "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                               "#bcbd22", "#17becf"};
    return kPalette[i % std::size(kPalette)];
}

std::string render_svg(const Figure& figure) {
    const int columns = std::max(
        1, std::min<int>(figure.columns,
                         static_cast<int>(std::max<std::size_t>(1, figure.panels.size()))));
    const auto rows = static_cast<int>((figure.panels.size() + columns - 1) / columns);
    const double width = columns * kPanelWidth;
    const double height = kHeaderHeight + std::max(1, rows) * kPanelHeight;
    SvgDocument svg(width, height);
    svg.text({width / 2, 24}, figure.title, {.size = 16, .anchor = "middle", .bold = true});
    if (!figure.subtitle.empty()) {
        svg.text({width / 2, 44}, figure.subtitle,
                 {.size = 12, .anchor = "middle", .color = "#555555"});
    }
    for (std::size_t p = 0; p < figure.panels.size(); ++p) {
        const Panel& panel = figure.panels[p];
        const double left = static_cast<double>(p % columns) * kPanelWidth;
        const double top = kHeaderHeight + static_cast<double>(p / columns) * kPanelHeight;
        const Frame frame{left + kMarginLeft,
                          top + kMarginTop,
                          kPanelWidth - kMarginLeft - kMarginRight,
                          kPanelHeight - kMarginTop - kMarginBottom,
                          make_axis(panel, true),
                          make_axis(panel, false),
                          !panel.x_categories.empty()};
        draw_axes(svg, panel, frame);
        if (!has_points(panel)) {
            svg.text({frame.left + frame.width / 2, frame.top + frame.height / 2}, "no data",
                     {.size = 12, .anchor = "middle", .color = "#888888"});
            continue;
        }
        draw_series(svg, panel, frame);
        draw_legend(svg, panel, frame);
    }
    return svg.str(figure.title);
}

}  // namespace dlctl::plot
