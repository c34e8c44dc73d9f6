#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dlctl {

/// Named metric values in the order they were requested.
using MetricValues = std::vector<std::pair<std::string, double>>;

/// Rows: actual class, columns: predicted class.
using ConfusionMatrix = std::vector<std::vector<std::int64_t>>;

/// Accumulates predictions over a whole epoch or split and computes the requested metrics at the
/// end, never averaged per batch, so precision, recall, F1 and AUC are exact.
///
/// Classification metrics: accuracy; precision, recall, f1 (binary: of class 1; multiclass:
/// macro); precision/recall/f1 with _macro or _weighted (by support); auc (binary ROC AUC,
/// multiclass one-vs-rest macro); log_loss. Regression: mse, rmse, mae, r2.
class MetricAccumulator {
  public:
    /// `classes`: 0 for regression, 1 for binary (predictions are P(class 1), one per sample,
    /// threshold 0.5), K >= 2 for multiclass (K probabilities per sample).
    /// Regression predictions and targets are mapped back to the target's own units as
    /// value · target_scale + target_offset before any metric.
    MetricAccumulator(std::vector<std::string> names,
                      int classes,
                      double target_offset = 0.0,
                      double target_scale = 1.0);

    /// Binary: predictions at or above `threshold` count as class 1 (default 0.5).
    void set_threshold(float threshold) { threshold_ = threshold; }

    void reset();
    /// `predictions` holds count values (count × K for multiclass, sample-major); `targets` holds
    /// count labels or values.
    void update(const float* predictions, const float* targets, std::int64_t count);
    MetricValues compute() const;
    /// The confusion matrix of the accumulated predictions (classification only).
    ConfusionMatrix confusion() const;

  private:
    int predicted_class(std::int64_t sample) const;
    int actual_class(std::int64_t sample) const;
    double roc_auc(int positive) const;

    std::vector<std::string> names_;
    int classes_;
    double target_offset_, target_scale_;
    float threshold_ = 0.5f;
    std::int64_t count_ = 0;
    std::vector<float> predictions_, targets_;  // classification
    double sum_squared_error_ = 0.0, sum_abs_error_ = 0.0, sum_target_ = 0.0,
           sum_target_squared_ = 0.0;  // regression
};

}  // namespace dlctl
