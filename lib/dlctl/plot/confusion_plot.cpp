#include "dlctl/plot/confusion_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dlctl/plot/svg_document.h"

namespace dlctl::plot {

namespace {

/// White to dark blue by `share` in [0, 1].
std::string shade(double share) {
    const auto mix = [share](int from, int to) {
        return static_cast<int>(std::lround(from + (to - from) * share));
    };
    return fmt::format("#{:02x}{:02x}{:02x}", mix(255, 8), mix(255, 69), mix(255, 148));
}

}  // namespace

std::string confusion_svg(const std::string& title,
                          const std::vector<std::string>& labels,
                          const std::vector<std::vector<std::int64_t>>& matrix) {
    const std::size_t k = matrix.size();
    const double cell =
        std::clamp(520.0 / static_cast<double>(std::max<std::size_t>(k, 1)), 26.0, 90.0);
    const double left = 150.0, top = 96.0;
    const double width = std::max(480.0, left + cell * static_cast<double>(k) + 40.0);
    const double height = top + cell * static_cast<double>(k) + 70.0;
    SvgDocument svg(width, height);
    svg.text({width / 2, 26}, title, {.size = 16, .anchor = "middle", .bold = true});
    std::int64_t total = 0, correct = 0;
    for (std::size_t r = 0; r < k; ++r) {
        for (std::size_t c = 0; c < k; ++c) total += matrix[r][c];
        correct += matrix[r][r];
    }
    svg.text({width / 2, 46},
             fmt::format("{} rows, {} correct ({:.1f}%); shade: share of the actual class", total,
                         correct, total > 0 ? 100.0 * correct / total : 0.0),
             {.size = 12, .anchor = "middle", .color = "#555555"});
    const double grid_width = cell * static_cast<double>(k);
    svg.text({left + grid_width / 2, top + grid_width + 32}, "predicted",
             {.size = 13, .anchor = "middle", .bold = true});
    svg.text({24, top + grid_width / 2}, "actual",
             {.size = 13, .anchor = "middle", .bold = true, .rotate = -90});
    const double font = std::clamp(cell / 4.0, 8.0, 14.0);
    for (std::size_t r = 0; r < k; ++r) {
        const double y = top + cell * static_cast<double>(r);
        const std::string label = r < labels.size() ? labels[r] : std::to_string(r);
        svg.text({left - 8, y + cell / 2 + 4}, shorten(label, 18), {.size = 12, .anchor = "end"});
        svg.text({left + cell * (static_cast<double>(r) + 0.5), top - 8}, shorten(label, 12),
                 {.size = 12, .anchor = k > 6 ? "start" : "middle", .rotate = k > 6 ? -35.0 : 0.0});
        std::int64_t actual = 0;
        for (std::size_t c = 0; c < k; ++c) actual += matrix[r][c];
        for (std::size_t c = 0; c < k; ++c) {
            const double x = left + cell * static_cast<double>(c);
            const double share =
                actual > 0 ? static_cast<double>(matrix[r][c]) / static_cast<double>(actual) : 0.0;
            svg.rect(x, y, cell, cell, shade(share), "#ffffff");
            const std::string_view ink = share > 0.5 ? "#ffffff" : "#222222";
            svg.text({x + cell / 2, y + cell / 2 + (cell >= 40 ? -1 : font / 3)},
                     std::to_string(matrix[r][c]),
                     {.size = font, .anchor = "middle", .bold = r == c, .color = ink});
            if (cell >= 40) {
                svg.text({x + cell / 2, y + cell / 2 + font}, fmt::format("{:.0f}%", 100 * share),
                         {.size = font * 0.8, .anchor = "middle", .color = ink});
            }
        }
    }
    return svg.str(title);
}

}  // namespace dlctl::plot
