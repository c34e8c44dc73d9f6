#include "dlctl/report/sweep_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "dlctl/core/strings.h"
#include "dlctl/plot/chart.h"

namespace dlctl {

namespace {

constexpr std::size_t kNumericAxisValues = 4;

bool ranked(const RunRow& row) { return row.value && std::isfinite(*row.value); }

/// One panel: the metric against setting `column` (index into the leaderboard's columns), the
/// runs as points, the best one marked, and the mean of the runs sharing a value as a line.
plot::Panel setting_panel(const Leaderboard& board, std::size_t column) {
    plot::Panel panel;
    panel.title = board.columns[column];
    panel.x_label = board.columns[column];
    panel.y_label = board.metric;
    std::vector<const RunRow*> runs;
    for (const RunRow& row : board.rows) {
        if (ranked(row)) runs.push_back(&row);
    }
    std::vector<std::string> values;
    for (const RunRow* r : runs) values.push_back(r->settings[column]);
    const bool numeric = std::all_of(values.begin(), values.end(), [](const std::string& v) {
        return parse_number(v).has_value();
    });
    const auto by_value = [numeric](const std::string& a, const std::string& b) {
        return numeric ? *parse_number(a) < *parse_number(b) : a < b;
    };
    std::sort(values.begin(), values.end(), by_value);
    values.erase(std::unique(values.begin(), values.end()), values.end());
    // A few values (widths 8, 32, 128; dropout 0, 0.4) read best as evenly spaced categories.
    const bool numeric_axis = numeric && values.size() >= kNumericAxisValues;
    if (!numeric_axis) panel.x_categories = values;
    const auto x_of = [&](const std::string& value) {
        if (numeric_axis) return *parse_number(value);
        return static_cast<double>(std::find(values.begin(), values.end(), value) - values.begin());
    };
    plot::Series all("run", plot::Marks::points, plot::palette_color(0));
    plot::Series best("best", plot::Marks::points, "#d62728");
    plot::Series mean("mean", plot::Marks::lines_and_points, "#7f7f7f");
    for (const RunRow* r : runs) {
        plot::Series& series = r == runs.front() ? best : all;
        series.x.push_back(x_of(r->settings[column]));
        series.y.push_back(*r->value);
    }
    for (const std::string& value : values) {
        double sum = 0.0;
        int count = 0;
        for (const RunRow* r : runs) {
            if (r->settings[column] != value) continue;
            sum += *r->value;
            ++count;
        }
        mean.x.push_back(x_of(value));
        mean.y.push_back(sum / count);
    }
    if (numeric_axis) {
        const double lo = *parse_number(values.front()), hi = *parse_number(values.back());
        panel.log_x = lo > 0.0 && hi >= 30.0 * lo;
    }
    panel.series.push_back(std::move(all));
    if (runs.size() > values.size()) panel.series.push_back(std::move(mean));
    panel.series.push_back(std::move(best));
    return panel;
}

}  // namespace

std::string sweep_svg(const Leaderboard& board) {
    const auto shown =
        static_cast<std::size_t>(std::count_if(board.rows.begin(), board.rows.end(), ranked));
    plot::Figure figure;
    figure.title = fmt::format("{} ({}) over {} runs", board.metric,
                               board.mode == "max" ? "higher is better" : "lower is better", shown);
    if (shown > 0) {
        figure.subtitle =
            fmt::format("best: {} = {:.6g}", board.rows.front().dir.filename().string(),
                        *board.rows.front().value);
    }
    if (shown < board.rows.size()) {
        figure.subtitle +=
            fmt::format("{}{} runs without {} not shown", figure.subtitle.empty() ? "" : "; ",
                        board.rows.size() - shown, board.metric);
    }
    for (std::size_t c = 0; c < board.columns.size(); ++c) {
        figure.panels.push_back(setting_panel(board, c));
    }
    if (board.columns.empty()) {
        plot::Panel panel;
        panel.title = "runs (no setting differs)";
        panel.x_label = "run";
        panel.y_label = board.metric;
        plot::Series series("", plot::Marks::points);
        for (const RunRow& row : board.rows) {
            if (!ranked(row)) continue;
            series.x.push_back(static_cast<double>(panel.x_categories.size()));
            series.y.push_back(*row.value);
            panel.x_categories.push_back(row.dir.filename().string());
        }
        panel.series.push_back(std::move(series));
        figure.panels.push_back(std::move(panel));
    }
    figure.columns = figure.panels.size() >= 3 ? 3 : static_cast<int>(figure.panels.size());
    return plot::render_svg(figure);
}

}  // namespace dlctl
