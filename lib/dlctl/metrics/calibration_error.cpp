#include "dlctl/metrics/calibration_error.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "dlctl/core/error.h"

namespace dlctl {

double expected_calibration_error(
    const float* probabilities, const float* targets, std::int64_t count, int classes, int bins) {
    DLCTL_CHECK(classes >= 1 && bins >= 1);
    if (count <= 0) return std::nan("");
    // ECE as Guo et al. 2017: 15 equal-width bins over the predicted class's confidence.
    std::vector<double> confidence(static_cast<std::size_t>(bins), 0.0);
    std::vector<double> correct(static_cast<std::size_t>(bins), 0.0);
    std::vector<std::int64_t> rows(static_cast<std::size_t>(bins), 0);
    for (std::int64_t i = 0; i < count; ++i) {
        int predicted = 0;
        double p = 0.0;
        if (classes == 1) {
            const double positive = probabilities[i];
            predicted = positive >= 0.5 ? 1 : 0;
            p = predicted == 1 ? positive : 1.0 - positive;
        } else {
            const float* row = probabilities + i * classes;
            predicted = static_cast<int>(std::max_element(row, row + classes) - row);
            p = row[predicted];
        }
        // Bin b holds confidences in (b / bins, (b + 1) / bins]; 0 goes to the first.
        const int bin = std::clamp(static_cast<int>(std::ceil(p * bins)) - 1, 0, bins - 1);
        confidence[static_cast<std::size_t>(bin)] += p;
        correct[static_cast<std::size_t>(bin)] += static_cast<int>(targets[i]) == predicted;
        ++rows[static_cast<std::size_t>(bin)];
    }
    double ece = 0.0;
    for (std::size_t b = 0; b < rows.size(); ++b) {
        if (rows[b] > 0) ece += std::abs(correct[b] - confidence[b]);
    }
    return ece / static_cast<double>(count);
}

}  // namespace dlctl
