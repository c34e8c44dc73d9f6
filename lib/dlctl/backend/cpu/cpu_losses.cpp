#include <algorithm>
#include <cmath>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace {

float weight_of(const Tensor& weights, std::int64_t c) {
    return weights.data != nullptr ? weights.data[c] : 1.0f;
}

/// Σ weights over the batch, or the batch size when unweighted; never 0.
double weight_total(const Tensor& weights, std::int64_t batch) {
    if (weights.data == nullptr) return static_cast<double>(batch);
    double total = 0.0;
    for (std::int64_t c = 0; c < batch; ++c) total += weights.data[c];
    return total > 0.0 ? total : 1.0;
}

}  // namespace

void CpuBackend::sigmoid_cross_entropy(const Tensor& logits,
                                       const Tensor& targets,
                                       const Tensor& weights,
                                       float label_smoothing,
                                       Tensor grad,
                                       Tensor loss) {
    DLCTL_CHECK(logits.size() == targets.size() && logits.size() == grad.size());
    DLCTL_CHECK(logits.rows == 1 && logits.cols > 0 && loss.size() >= 1);
    const std::int64_t n = logits.cols;
    const double total_weight = weight_total(weights, n);
    const float inv = static_cast<float>(1.0 / total_weight);
    double total = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        const float z = logits.data[i];
        const float y = targets.data[i] * (1.0f - label_smoothing) + 0.5f * label_smoothing;
        const float w = weight_of(weights, i);
        // log(1 + e^z) - y z, written so neither branch overflows.
        total += w * (std::max(z, 0.0f) - z * y + std::log1p(std::exp(-std::abs(z))));
        const float p =
            z >= 0.0f ? 1.0f / (1.0f + std::exp(-z)) : std::exp(z) / (1.0f + std::exp(z));
        grad.data[i] = w * (p - y) * inv;
    }
    loss.data[0] = static_cast<float>(total / total_weight);
}

void CpuBackend::softmax_cross_entropy(const Tensor& logits,
                                       const Tensor& labels,
                                       const Tensor& weights,
                                       float label_smoothing,
                                       Tensor grad,
                                       Tensor loss) {
    DLCTL_CHECK(labels.size() == logits.cols && grad.size() == logits.size());
    DLCTL_CHECK(logits.cols > 0 && loss.size() >= 1);
    const std::int64_t k = logits.rows;
    const double total_weight = weight_total(weights, logits.cols);
    const float inv = static_cast<float>(1.0 / total_weight);
    const float off = label_smoothing / static_cast<float>(k);
    const float on = 1.0f - label_smoothing + off;
    double total = 0.0;
    for (std::int64_t c = 0; c < logits.cols; ++c) {
        const float* z = logits.data + c * k;
        float* g = grad.data + c * k;
        const auto label = static_cast<std::int64_t>(labels.data[c]);
        DLCTL_CHECK(label >= 0 && label < k);
        const float top = *std::max_element(z, z + k);
        double sum = 0.0;
        for (std::int64_t r = 0; r < k; ++r) sum += std::exp(static_cast<double>(z[r] - top));
        const double log_sum = std::log(sum) + top;  // log Σ e^z
        const float w = weight_of(weights, c);
        double sample = 0.0;
        for (std::int64_t r = 0; r < k; ++r) {
            const float q = r == label ? on : off;
            const double log_p = z[r] - log_sum;
            sample -= q * log_p;
            g[r] = w * (static_cast<float>(std::exp(log_p)) - q) * inv;
        }
        total += w * sample;
    }
    loss.data[0] = static_cast<float>(total / total_weight);
}

void CpuBackend::regression_loss(RegressionLoss kind,
                                 float delta,
                                 const Tensor& predictions,
                                 const Tensor& targets,
                                 const Tensor& weights,
                                 Tensor grad,
                                 Tensor loss) {
    DLCTL_CHECK(predictions.size() == targets.size() && predictions.size() == grad.size());
    DLCTL_CHECK(predictions.size() > 0 && loss.size() >= 1);
    const std::int64_t rows = predictions.rows;
    // The mean runs over every element: weights per sample, times the outputs per sample.
    const double total_weight = weight_total(weights, predictions.cols) * static_cast<double>(rows);
    const float inv = static_cast<float>(1.0 / total_weight);
    double total = 0.0;
    for (std::int64_t i = 0; i < predictions.size(); ++i) {
        const float w = weight_of(weights, i / rows);
        const float d = predictions.data[i] - targets.data[i];
        const float a = std::abs(d);
        double value = 0.0;
        float slope = 0.0f;
        switch (kind) {
            case RegressionLoss::kMse:
                value = static_cast<double>(d) * d;
                slope = 2.0f * d;
                break;
            case RegressionLoss::kMae:
                value = a;
                slope = d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : 0.0f);
                break;
            case RegressionLoss::kHuber:
                value = a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
                slope = a < delta ? d : (d > 0.0f ? delta : -delta);
                break;
        }
        total += w * value;
        grad.data[i] = w * slope * inv;
    }
    loss.data[0] = static_cast<float>(total / total_weight);
}

}  // namespace dlctl
