#include "dlctl/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

double ratio(double num, double den) { return den > 0.0 ? num / den : 0.0; }

struct ClassCounts {
    double tp = 0, fp = 0, fn = 0, support = 0;
};

}  // namespace

MetricAccumulator::MetricAccumulator(std::vector<std::string> names,
                                     int classes,
                                     double target_offset,
                                     double target_scale)
    : names_(std::move(names)),
      classes_(classes),
      target_offset_(target_offset),
      target_scale_(target_scale) {}

void MetricAccumulator::reset() {
    count_ = 0;
    predictions_.clear();  // keeps the capacity: no allocation after the first epoch
    targets_.clear();
    sum_squared_error_ = sum_abs_error_ = sum_target_ = sum_target_squared_ = 0.0;
}

void MetricAccumulator::update(const float* predictions, const float* targets, std::int64_t count) {
    count_ += count;
    if (classes_ == 0) {
        for (std::int64_t i = 0; i < count; ++i) {
            const double target = targets[i] * target_scale_ + target_offset_;
            const double error = (predictions[i] * target_scale_ + target_offset_) - target;
            sum_squared_error_ += error * error;
            sum_abs_error_ += std::abs(error);
            sum_target_ += target;
            sum_target_squared_ += target * target;
        }
        return;
    }
    const std::int64_t width = classes_ == 1 ? 1 : classes_;
    predictions_.insert(predictions_.end(), predictions, predictions + count * width);
    targets_.insert(targets_.end(), targets, targets + count);
}

int MetricAccumulator::predicted_class(std::int64_t i) const {
    if (classes_ == 1) return predictions_[i] >= threshold_ ? 1 : 0;
    const float* p = predictions_.data() + i * classes_;
    return static_cast<int>(std::max_element(p, p + classes_) - p);
}

int MetricAccumulator::actual_class(std::int64_t i) const {
    return static_cast<int>(std::lround(targets_[i]));
}

ConfusionMatrix MetricAccumulator::confusion() const {
    const int k = classes_ == 1 ? 2 : classes_;
    ConfusionMatrix m(k, std::vector<std::int64_t>(k, 0));
    for (std::int64_t i = 0; i < count_; ++i) {
        const int actual = actual_class(i);
        if (actual >= 0 && actual < k) ++m[actual][predicted_class(i)];
    }
    return m;
}

/// ROC AUC of class `positive` against the rest: the Mann-Whitney statistic, ties counted half.
double MetricAccumulator::roc_auc(int positive) const {
    std::vector<std::pair<float, bool>> scored(count_);
    for (std::int64_t i = 0; i < count_; ++i) {
        const float score = classes_ == 1
                                ? (positive == 1 ? predictions_[i] : 1.0f - predictions_[i])
                                : predictions_[i * classes_ + positive];
        if (std::isnan(score)) return std::nan("");  // no order exists (diverged model)
        scored[i] = {score, actual_class(i) == positive};
    }
    std::sort(scored.begin(), scored.end());
    double positives = 0, rank_sum = 0;
    for (std::size_t i = 0; i < scored.size();) {
        std::size_t j = i;
        while (j < scored.size() && scored[j].first == scored[i].first) ++j;
        const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
        for (std::size_t t = i; t < j; ++t) {
            if (scored[t].second) {
                positives += 1;
                rank_sum += average_rank;
            }
        }
        i = j;
    }
    const double negatives = static_cast<double>(count_) - positives;
    if (positives == 0 || negatives == 0) return std::nan("");
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives);
}

MetricValues MetricAccumulator::compute() const {
    MetricValues values;
    const double n = static_cast<double>(count_);
    if (classes_ == 0) {
        for (const auto& name : names_) {
            double v = 0.0;
            if (name == "mse") {
                v = ratio(sum_squared_error_, n);
            } else if (name == "rmse") {
                v = std::sqrt(ratio(sum_squared_error_, n));
            } else if (name == "mae") {
                v = ratio(sum_abs_error_, n);
            } else if (name == "r2") {
                const double total = sum_target_squared_ - sum_target_ * sum_target_ / n;
                v = total > 0.0 ? 1.0 - sum_squared_error_ / total : 0.0;
            } else {
                throw UsageError("metric '" + name + "' does not apply to regression");
            }
            values.emplace_back(name, v);
        }
        return values;
    }

    const ConfusionMatrix m = confusion();
    const int k = static_cast<int>(m.size());
    std::vector<ClassCounts> counts(k);
    double correct = 0;
    for (int a = 0; a < k; ++a) {
        for (int p = 0; p < k; ++p) {
            const auto c = static_cast<double>(m[a][p]);
            counts[a].support += c;
            if (a == p) {
                counts[a].tp += c;
                correct += c;
            } else {
                counts[a].fn += c;
                counts[p].fp += c;
            }
        }
    }
    auto per_class = [&](int c, const std::string& what) {
        const ClassCounts& x = counts[c];
        if (what == "precision") return ratio(x.tp, x.tp + x.fp);
        if (what == "recall") return ratio(x.tp, x.tp + x.fn);
        return ratio(2 * x.tp, 2 * x.tp + x.fp + x.fn);
    };
    auto averaged = [&](const std::string& what, bool weighted) {
        double sum = 0, total = 0;
        for (int c = 0; c < k; ++c) {
            // As scikit-learn: only classes that occur in the targets or the predictions.
            if (counts[c].support == 0 && counts[c].tp + counts[c].fp == 0) continue;
            const double w = weighted ? counts[c].support : 1.0;
            sum += w * per_class(c, what);
            total += w;
        }
        return ratio(sum, total);
    };
    for (const auto& name : names_) {
        double v = 0.0;
        if (name == "accuracy") {
            v = ratio(correct, n);
        } else if (name == "precision" || name == "recall" || name == "f1") {
            v = classes_ == 1 ? per_class(1, name) : averaged(name, false);
        } else if (name.ends_with("_macro") || name.ends_with("_weighted")) {
            const bool weighted = name.ends_with("_weighted");
            v = averaged(name.substr(0, name.find('_')), weighted);
        } else if (name == "auc") {
            if (classes_ == 1) {
                v = roc_auc(1);
            } else {
                double sum = 0;
                int defined = 0;
                for (int c = 0; c < k; ++c) {
                    const double auc = roc_auc(c);
                    if (!std::isnan(auc)) {
                        sum += auc;
                        ++defined;
                    }
                }
                v = defined > 0 ? sum / defined : std::nan("");
            }
        } else if (name == "log_loss") {
            constexpr double kClip = 1e-15;
            double total = 0;
            for (std::int64_t i = 0; i < count_; ++i) {
                const int actual = actual_class(i);
                const double p = classes_ == 1
                                     ? (actual == 1 ? predictions_[i] : 1.0 - predictions_[i])
                                     : predictions_[i * classes_ + actual];
                total -= std::log(std::clamp(p, kClip, 1.0 - kClip));
            }
            v = ratio(total, n);
        } else {
            throw UsageError("metric '" + name + "' does not apply to classification");
        }
        values.emplace_back(name, v);
    }
    return values;
}

}  // namespace dlctl
