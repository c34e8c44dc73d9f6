#pragma once

#include <string>
#include <vector>

namespace dlctl::plot {

/// curves.svg: every column of metrics.csv per epoch, one panel per metric with its training
/// and validation values, and the learning rate in a panel of its own (log scale when it spans
/// more than a decade). `rows` are metrics.csv rows as text; empty cells are gaps.
std::string training_curves_svg(const std::string& title,
                                const std::string& subtitle,
                                const std::vector<std::string>& columns,
                                const std::vector<std::vector<std::string>>& rows);

/// The receiver operating characteristic of scores against binary labels.
struct RocCurve {
    std::vector<double> false_positive_rate;  ///< from 0 to 1, one point per distinct score
    std::vector<double> true_positive_rate;
    double auc = 0.0;  ///< area under the curve (ties count half); NaN with one class only
};
RocCurve roc_curve(const std::vector<float>& scores, const std::vector<bool>& positive);

/// Binary diagnostics: the ROC curve, the reliability diagram (mean predicted probability
/// against the observed share of positives in ten bins) and the distribution of P(positive)
/// for each actual class. `labels`: {negative, positive}.
std::string binary_diagnostics_svg(const std::string& title,
                                   const std::string& subtitle,
                                   const std::vector<float>& scores,
                                   const std::vector<bool>& positive,
                                   const std::vector<std::string>& labels);

/// Regression diagnostics: predicted against actual values (with the y = x line) and the
/// residuals against the prediction. At most 5000 evenly spaced rows are drawn.
std::string regression_svg(const std::string& title,
                           const std::string& subtitle,
                           const std::string& target,
                           const std::vector<float>& predicted,
                           const std::vector<float>& actual);

}  // namespace dlctl::plot
