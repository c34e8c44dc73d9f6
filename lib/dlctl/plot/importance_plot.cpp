#include "dlctl/plot/importance_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dlctl/plot/axis.h"
#include "dlctl/plot/chart.h"
#include "dlctl/plot/svg_document.h"

namespace dlctl::plot {

namespace {

constexpr double kLeft = 170.0;
constexpr double kTop = 70.0;
constexpr double kPlotWidth = 460.0;
constexpr double kBarSlot = 26.0;
constexpr double kBottom = 60.0;
constexpr const char* kGridColor = "#e3e3e3";
constexpr const char* kAxisColor = "#555555";

/// An axis over every bar and error bar, and zero.
Axis value_axis(const std::vector<ImportanceBar>& bars) {
    double lo = 0.0, hi = 0.0;
    for (const ImportanceBar& b : bars) {
        if (!std::isfinite(b.mean)) continue;
        const double spread = std::isfinite(b.spread) ? std::abs(b.spread) : 0.0;
        lo = std::min(lo, b.mean - spread);
        hi = std::max(hi, b.mean + spread);
    }
    return Axis::linear(lo, hi);
}

void draw_value_axis(SvgDocument& svg,
                     const Axis& axis,
                     double height,
                     const std::string& value_label) {
    const double bottom = kTop + height;
    for (const double t : axis.ticks()) {
        const double x = kLeft + axis.fraction(t) * kPlotWidth;
        svg.line({x, kTop}, {x, bottom}, kGridColor);
        svg.line({x, bottom}, {x, bottom + 4}, kAxisColor);
        svg.text({x, bottom + 16}, axis.label(t), {.size = 11, .anchor = "middle"});
    }
    svg.rect(kLeft, kTop, kPlotWidth, height, "none", kAxisColor);
    const double zero = kLeft + axis.fraction(0.0) * kPlotWidth;
    svg.line({zero, kTop}, {zero, bottom}, "#222222", 1.2);
    svg.text({kLeft + kPlotWidth / 2, bottom + 38}, value_label, {.size = 12, .anchor = "middle"});
}

void draw_bar(SvgDocument& svg, const Axis& axis, const ImportanceBar& bar, double y) {
    const auto at = [&axis](double v) { return kLeft + axis.fraction(v) * kPlotWidth; };
    const double middle = y + kBarSlot / 2;
    svg.text({kLeft - 8, middle + 4}, shorten(bar.name, 24), {.size = 12, .anchor = "end"});
    if (!std::isfinite(bar.mean)) return;
    const double from = at(std::min(0.0, bar.mean)), to = at(std::max(0.0, bar.mean));
    svg.rect(from, y + 5, std::max(to - from, 0.5), kBarSlot - 10,
             bar.mean >= 0.0 ? palette_color(0) : "#aaaaaa");
    if (!(std::isfinite(bar.spread) && bar.spread > 0.0)) return;
    const double lo = at(bar.mean - bar.spread), hi = at(bar.mean + bar.spread);
    svg.line({lo, middle}, {hi, middle}, "#222222", 1.4);
    svg.line({lo, middle - 5}, {lo, middle + 5}, "#222222", 1.4);
    svg.line({hi, middle - 5}, {hi, middle + 5}, "#222222", 1.4);
}

}  // namespace

std::string importance_svg(const std::string& title,
                           const std::string& subtitle,
                           const std::string& value_label,
                           const std::vector<ImportanceBar>& bars) {
    const double height = kBarSlot * static_cast<double>(std::max<std::size_t>(bars.size(), 1));
    const double width = kLeft + kPlotWidth + 30.0;
    SvgDocument svg(width, kTop + height + kBottom);
    svg.text({width / 2, 26}, title, {.size = 16, .anchor = "middle", .bold = true});
    svg.text({width / 2, 46}, shorten(subtitle, 100),
             {.size = 12, .anchor = "middle", .color = "#555555"});
    const Axis axis = value_axis(bars);
    svg.rect(kLeft, kTop, kPlotWidth, height, "#ffffff");
    draw_value_axis(svg, axis, height, value_label);
    for (std::size_t i = 0; i < bars.size(); ++i) {
        draw_bar(svg, axis, bars[i], kTop + kBarSlot * static_cast<double>(i));
    }
    return svg.str(title);
}

}  // namespace dlctl::plot
