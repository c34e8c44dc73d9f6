#include "dlctl/plot/run_plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "dlctl/core/strings.h"
#include "dlctl/plot/chart.h"

namespace dlctl::plot {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxDrawnPoints = 5000;

std::vector<double> column_values(const std::vector<std::vector<std::string>>& rows,
                                  std::size_t column) {
    std::vector<double> out;
    out.reserve(rows.size());
    for (const auto& row : rows)
        out.push_back(column < row.size() ? parse_number(row[column]).value_or(kNaN) : kNaN);
    return out;
}

/// Every `stride`-th index, so that at most kMaxDrawnPoints are drawn.
std::size_t drawing_stride(std::size_t n) {
    return std::max<std::size_t>(1, (n + kMaxDrawnPoints - 1) / kMaxDrawnPoints);
}

/// Whether every finite y value is positive and the largest is at least 10^decades times the
/// smallest: such curves (a loss falling by orders of magnitude, a decaying learning rate)
/// are only readable on a logarithmic axis.
bool spans_decades(const std::vector<Series>& series, double decades) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
    for (const Series& s : series) {
        for (const double v : s.y) {
            if (!std::isfinite(v)) continue;
            if (v <= 0.0) return false;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    return hi >= std::pow(10.0, decades) * lo;
}

}  // namespace

std::string training_curves_svg(const std::string& title,
                                const std::string& subtitle,
                                const std::vector<std::string>& columns,
                                const std::vector<std::vector<std::string>>& rows) {
    const auto index_of = [&columns](const std::string& name) {
        return static_cast<std::size_t>(std::find(columns.begin(), columns.end(), name) -
                                        columns.begin());
    };
    std::vector<double> epochs = column_values(rows, index_of("epoch"));
    if (index_of("epoch") == columns.size()) std::iota(epochs.begin(), epochs.end(), 1.0);

    Figure figure{title, subtitle, {}, 2};
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const std::string& name = columns[c];
        if (name == "epoch" || name == "lr" || name == "seconds" || name.starts_with("val_")) {
            continue;
        }
        Panel panel;
        panel.title = name;
        panel.x_label = "epoch";
        panel.y_label = name;
        panel.series.emplace_back("training", epochs, column_values(rows, c));
        if (const std::size_t v = index_of("val_" + name); v < columns.size()) {
            panel.series.emplace_back("validation", epochs, column_values(rows, v));
        }
        panel.log_y = spans_decades(panel.series, 2.0);
        figure.panels.push_back(std::move(panel));
    }
    if (const std::size_t lr = index_of("lr"); lr < columns.size()) {
        Panel panel;
        panel.title = "learning rate";
        panel.x_label = "epoch";
        panel.y_label = "lr";
        panel.series.emplace_back("", epochs, column_values(rows, lr));
        panel.log_y = spans_decades(panel.series, 1.0);
        figure.panels.push_back(std::move(panel));
    }
    return render_svg(figure);
}

RocCurve roc_curve(const std::vector<float>& scores, const std::vector<bool>& positive) {
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // NaN scores rank last, so the order is a strict weak one.
    const auto key = [&scores](std::size_t i) {
        return std::isnan(scores[i]) ? -std::numeric_limits<float>::infinity() : scores[i];
    };
    std::sort(order.begin(), order.end(),
              [&key](std::size_t a, std::size_t b) { return key(a) > key(b); });
    const auto positives = static_cast<double>(std::count(positive.begin(), positive.end(), true));
    const double negatives = static_cast<double>(positive.size()) - positives;
    RocCurve roc;
    roc.false_positive_rate.push_back(0.0);
    roc.true_positive_rate.push_back(0.0);
    if (positives == 0 || negatives == 0) {
        roc.auc = kNaN;
        return roc;
    }
    double tp = 0, fp = 0;
    for (std::size_t i = 0; i < order.size();) {
        const float score = key(order[i]);
        for (; i < order.size() && key(order[i]) == score; ++i) {
            (positive[order[i]] ? tp : fp) += 1.0;
        }
        const double fpr = fp / negatives, tpr = tp / positives;
        // Trapezoids: a tie group of positives and negatives counts half.
        roc.auc +=
            (fpr - roc.false_positive_rate.back()) * (tpr + roc.true_positive_rate.back()) / 2.0;
        roc.false_positive_rate.push_back(fpr);
        roc.true_positive_rate.push_back(tpr);
    }
    return roc;
}

std::string binary_diagnostics_svg(const std::string& title,
                                   const std::string& subtitle,
                                   const std::vector<float>& scores,
                                   const std::vector<bool>& positive,
                                   const std::vector<std::string>& labels) {
    const std::string positive_label = labels.size() == 2 ? labels[1] : "1";
    const std::string negative_label = labels.size() == 2 ? labels[0] : "0";
    Figure figure{title, fmt::format("{}; positive class: {}", subtitle, positive_label), {}, 3};

    const RocCurve roc = roc_curve(scores, positive);
    Panel roc_panel;
    roc_panel.title = "ROC curve";
    roc_panel.x_label = "false positive rate";
    roc_panel.y_label = "true positive rate";
    roc_panel.x_range = roc_panel.y_range = std::pair{0.0, 1.0};
    roc_panel.diagonal = true;
    if (!std::isnan(roc.auc)) {
        Series curve(fmt::format("AUC {:.4f}", roc.auc), Marks::lines);
        const std::size_t stride = drawing_stride(roc.false_positive_rate.size());
        for (std::size_t i = 0; i < roc.false_positive_rate.size(); ++i) {
            if (i % stride != 0 && i + 1 != roc.false_positive_rate.size()) continue;
            curve.x.push_back(roc.false_positive_rate[i]);
            curve.y.push_back(roc.true_positive_rate[i]);
        }
        roc_panel.series.push_back(std::move(curve));
    }
    figure.panels.push_back(std::move(roc_panel));

    constexpr int kBins = 10;
    std::vector<double> score_sum(kBins, 0.0), positives(kBins, 0.0), count(kBins, 0.0),
        negative_count(kBins, 0.0);
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (!std::isfinite(scores[i])) continue;
        const int bin = std::clamp(static_cast<int>(scores[i] * kBins), 0, kBins - 1);
        score_sum[bin] += scores[i];
        count[bin] += 1.0;
        (positive[i] ? positives[bin] : negative_count[bin]) += 1.0;
    }
    Panel calibration;
    calibration.title = "calibration";
    calibration.x_label = fmt::format("mean predicted P({})", positive_label);
    calibration.y_label = fmt::format("share of {} rows", positive_label);
    calibration.x_range = calibration.y_range = std::pair{0.0, 1.0};
    calibration.diagonal = true;
    Series reliability("model (10 bins)", Marks::lines_and_points);
    for (int b = 0; b < kBins; ++b) {
        if (count[b] == 0) continue;
        reliability.x.push_back(score_sum[b] / count[b]);
        reliability.y.push_back(positives[b] / count[b]);
    }
    calibration.series.push_back(std::move(reliability));
    figure.panels.push_back(std::move(calibration));

    Panel distribution;
    distribution.title = "predicted probabilities";
    distribution.x_label = fmt::format("P({})", positive_label);
    distribution.y_label = "rows";
    distribution.x_range = std::pair{0.0, 1.0};
    Series of_negatives("actual " + negative_label, Marks::lines_and_points);
    Series of_positives("actual " + positive_label, Marks::lines_and_points);
    for (int b = 0; b < kBins; ++b) {
        const double center = (b + 0.5) / kBins;
        of_negatives.x.push_back(center);
        of_negatives.y.push_back(negative_count[b]);
        of_positives.x.push_back(center);
        of_positives.y.push_back(positives[b]);
    }
    distribution.series.push_back(std::move(of_negatives));
    distribution.series.push_back(std::move(of_positives));
    figure.panels.push_back(std::move(distribution));
    return render_svg(figure);
}

std::string regression_svg(const std::string& title,
                           const std::string& subtitle,
                           const std::string& target,
                           const std::vector<float>& predicted,
                           const std::vector<float>& actual) {
    const std::size_t n = std::min(predicted.size(), actual.size());
    const std::size_t stride = drawing_stride(n);
    Series fit("", Marks::points);
    Series residuals("", Marks::points);
    for (std::size_t i = 0; i < n; i += stride) {
        fit.x.push_back(actual[i]);
        fit.y.push_back(predicted[i]);
        residuals.x.push_back(predicted[i]);
        residuals.y.push_back(static_cast<double>(actual[i]) - predicted[i]);
    }
    Figure figure{title,
                  stride > 1 ? fmt::format("{}; every {}th row drawn", subtitle, stride) : subtitle,
                  {},
                  2};
    Panel versus;
    versus.title = "predicted vs actual";
    versus.x_label = fmt::format("actual {}", target);
    versus.y_label = fmt::format("predicted {}", target);
    versus.diagonal = true;
    versus.series.push_back(std::move(fit));
    Panel residual;
    residual.title = "residuals";
    residual.x_label = fmt::format("predicted {}", target);
    residual.y_label = "actual - predicted";
    residual.series.push_back(std::move(residuals));
    figure.panels = {std::move(versus), std::move(residual)};
    return render_svg(figure);
}

}  // namespace dlctl::plot
