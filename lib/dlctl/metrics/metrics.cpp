#include "dlctl/metrics/metrics.h"

#include <cmath>

#include "dlctl/core/error.h"

namespace dlctl {

MetricAccumulator::MetricAccumulator(std::vector<std::string> names, bool binary)
    : names_(std::move(names)), binary_(binary) {}

void MetricAccumulator::reset() { *this = MetricAccumulator(std::move(names_), binary_); }

void MetricAccumulator::update(const float* predictions, const float* targets, std::int64_t count) {
    count_ += count;
    for (std::int64_t i = 0; i < count; ++i) {
        if (binary_) {
            const bool predicted = predictions[i] >= 0.5f;
            const bool actual = targets[i] >= 0.5f;
            tp_ += predicted && actual;
            fp_ += predicted && !actual;
            tn_ += !predicted && !actual;
            fn_ += !predicted && actual;
        } else {
            const double error = static_cast<double>(predictions[i]) - targets[i];
            sum_squared_error_ += error * error;
            sum_abs_error_ += std::abs(error);
            sum_target_ += targets[i];
            sum_target_squared_ += static_cast<double>(targets[i]) * targets[i];
        }
    }
}

MetricValues MetricAccumulator::compute() const {
    MetricValues values;
    const double n = static_cast<double>(count_);
    auto ratio = [](double num, double den) { return den > 0.0 ? num / den : 0.0; };
    for (const auto& name : names_) {
        double v = 0.0;
        if (name == "accuracy") {
            v = ratio(static_cast<double>(tp_ + tn_), n);
        } else if (name == "precision") {
            v = ratio(static_cast<double>(tp_), static_cast<double>(tp_ + fp_));
        } else if (name == "recall") {
            v = ratio(static_cast<double>(tp_), static_cast<double>(tp_ + fn_));
        } else if (name == "f1") {
            v = ratio(2.0 * static_cast<double>(tp_), static_cast<double>(2 * tp_ + fp_ + fn_));
        } else if (name == "mse") {
            v = ratio(sum_squared_error_, n);
        } else if (name == "rmse") {
            v = std::sqrt(ratio(sum_squared_error_, n));
        } else if (name == "mae") {
            v = ratio(sum_abs_error_, n);
        } else if (name == "r2") {
            const double total = sum_target_squared_ - sum_target_ * sum_target_ / n;
            v = total > 0.0 ? 1.0 - sum_squared_error_ / total : 0.0;
        } else {
            throw UsageError("unknown metric '" + name + "'");
        }
        values.emplace_back(name, v);
    }
    return values;
}

}  // namespace dlctl
