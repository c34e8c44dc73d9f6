#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dlctl {

/// Named metric values in the order they were requested.
using MetricValues = std::vector<std::pair<std::string, double>>;

/// Accumulates predictions over a whole epoch or split and computes the requested metrics at the
/// end (never averaged per batch, so precision, recall and F1 are exact).
class MetricAccumulator {
  public:
    /// `binary`: predictions are probabilities of class 1 (threshold 0.5) and targets 0/1;
    /// otherwise regression. `names` must be valid for the task (see config vocabulary).
    MetricAccumulator(std::vector<std::string> names, bool binary);

    void reset();
    void update(const float* predictions, const float* targets, std::int64_t count);
    MetricValues compute() const;

  private:
    std::vector<std::string> names_;
    bool binary_;
    std::int64_t count_ = 0;
    std::int64_t tp_ = 0, fp_ = 0, tn_ = 0, fn_ = 0;
    double sum_squared_error_ = 0.0, sum_abs_error_ = 0.0, sum_target_ = 0.0,
           sum_target_squared_ = 0.0;
};

}  // namespace dlctl
