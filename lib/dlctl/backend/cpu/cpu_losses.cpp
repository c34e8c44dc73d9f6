#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/formulas.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace {

float weight_of(const Tensor& weights, std::int64_t c) {
    return weights.data != nullptr ? weights.data[c] : 1.0f;
}

void write_sums(Tensor sums, double weighted_loss, double weight) {
    DLCTL_CHECK(sums.size() >= 2);
    sums.data[0] = static_cast<float>(weighted_loss);
    sums.data[1] = static_cast<float>(weight);
}

}  // namespace

void CpuBackend::sigmoid_cross_entropy(const Tensor& logits,
                                       const Tensor& targets,
                                       const Tensor& weights,
                                       float label_smoothing,
                                       double divisor,
                                       Tensor grad,
                                       Tensor sums) {
    DLCTL_CHECK(logits.size() == targets.size() && logits.rows == 1);
    DLCTL_CHECK(grad.data == nullptr || logits.size() == grad.size());
    const auto scale = static_cast<float>(1.0 / divisor);
    double total = 0.0, weight = 0.0;
    for (std::int64_t i = 0; i < logits.cols; ++i) {
        const float z = logits.data[i];
        const float y = formulas::smoothed_binary_target(targets.data[i], label_smoothing);
        const float w = weight_of(weights, i);
        total += w * formulas::sigmoid_cross_entropy(z, y);
        weight += w;
        if (grad.data != nullptr) grad.data[i] = w * (formulas::sigmoid(z) - y) * scale;
    }
    write_sums(sums, total, weight);
}

void CpuBackend::softmax_cross_entropy(const Tensor& logits,
                                       const Tensor& labels,
                                       const Tensor& weights,
                                       float label_smoothing,
                                       double divisor,
                                       Tensor grad,
                                       Tensor sums) {
    DLCTL_CHECK(labels.size() == logits.cols);
    DLCTL_CHECK(grad.data == nullptr || grad.size() == logits.size());
    const std::int64_t k = logits.rows;
    const auto scale = static_cast<float>(1.0 / divisor);
    const float off = label_smoothing / static_cast<float>(k);
    const float on = 1.0f - label_smoothing + off;
    double total = 0.0, weight = 0.0;
    for (std::int64_t c = 0; c < logits.cols; ++c) {
        const float w = weight_of(weights, c);
        float* g = grad.data != nullptr ? grad.data + c * k : nullptr;
        total += w * formulas::softmax_cross_entropy(logits.data + c * k, k, labels.data[c], on,
                                                     off, w, scale, g);
        weight += w;
    }
    write_sums(sums, total, weight);
}

void CpuBackend::regression_loss(RegressionLoss kind,
                                 float delta,
                                 const Tensor& predictions,
                                 const Tensor& targets,
                                 const Tensor& weights,
                                 double divisor,
                                 Tensor grad,
                                 Tensor sums) {
    DLCTL_CHECK(predictions.size() == targets.size());
    DLCTL_CHECK(grad.data == nullptr || predictions.size() == grad.size());
    const std::int64_t rows = predictions.rows;
    // A sample's loss is the mean over its rows.
    const auto scale = static_cast<float>(1.0 / (divisor * static_cast<double>(rows)));
    double total = 0.0, weight = 0.0;
    for (std::int64_t c = 0; c < predictions.cols; ++c) weight += weight_of(weights, c);
    for (std::int64_t i = 0; i < predictions.size(); ++i) {
        const float w = weight_of(weights, i / rows);
        const formulas::RegressionTerm term =
            formulas::regression_term(kind, delta, predictions.data[i] - targets.data[i]);
        total += w * term.value;
        if (grad.data != nullptr) grad.data[i] = w * term.slope * scale;
    }
    write_sums(sums, rows > 0 ? total / static_cast<double>(rows) : 0.0, weight);
}

}  // namespace dlctl
