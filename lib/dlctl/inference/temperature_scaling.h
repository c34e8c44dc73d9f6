#pragma once

#include <cstdint>
#include <vector>

namespace dlctl {

/// A classifier's logits on labelled rows, to fit a temperature on (Predictor::logits layout).
struct LabelledLogits {
    std::int64_t rows = 0;
    std::int64_t members = 1;    ///< an ensemble's members: each has its own logits a row
    int classes = 1;             ///< 1: binary (one logit a member, sigmoid); K ≥ 2: softmax
    std::vector<float> logits;   ///< rows × members × max(classes, 1), row after row
    std::vector<float> targets;  ///< the class index of each row
};

/// Predictions at `temperature`, as Predictor::predict returns them: the members' mean of
/// sigmoid(z / T) (binary: P(class 1) a row) or softmax(z / T) (K probabilities a row).
std::vector<float> tempered_probabilities(const LabelledLogits& data, double temperature);

/// The mean negative log-likelihood of the rows' classes under tempered_probabilities, computed
/// from the logits (log-sum-exp), so confident rows stay finite.
double tempered_nll(const LabelledLogits& data, double temperature);

/// Bounds of the temperatures fit_temperature searches: e^-5 to e^5.
inline constexpr double kMinLogTemperature = -5.0, kMaxLogTemperature = 5.0;

/// Temperature scaling (Guo et al. 2017): the temperature T > 0 that minimises tempered_nll,
/// searched on log T over [kMinLogTemperature, kMaxLogTemperature]: a grid in steps of 1/8
/// (which holds T = 1), then golden-section search around its best point. Never worse than T = 1
/// on these rows. Needs at least one row.
double fit_temperature(const LabelledLogits& data);

}  // namespace dlctl
