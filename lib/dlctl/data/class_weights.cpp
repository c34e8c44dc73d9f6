#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dlctl/core/error.h"
#include "dlctl/data/dataset.h"

namespace dlctl {

void apply_class_weights(Dataset& train,
                         const std::vector<std::string>& labels,
                         const std::string& mode,
                         const std::vector<std::pair<std::string, double>>& custom) {
    if (mode == "none" || labels.empty()) return;
    const auto k = static_cast<int>(labels.size());
    std::vector<double> per_class(k, 1.0);
    if (mode == "balanced") {
        std::vector<double> counts(k, 0.0);
        for (const float y : train.targets) counts[static_cast<std::size_t>(y)] += 1.0;
        // As scikit-learn: n / (classes present · n_class).
        const auto present = static_cast<double>(
            std::count_if(counts.begin(), counts.end(), [](double c) { return c > 0; }));
        for (int c = 0; c < k; ++c) {
            per_class[c] =
                counts[c] > 0 ? static_cast<double>(train.n_rows) / (present * counts[c]) : 0.0;
        }
    } else {
        for (const auto& [label, weight] : custom) {
            const auto it = std::find(labels.begin(), labels.end(), label);
            if (it == labels.end()) {
                throw DataError(
                    fmt::format("train.class_weight: '{}' is not a label of the "
                                "target (labels: {})",
                                label, fmt::join(labels, ", ")));
            }
            per_class[static_cast<std::size_t>(it - labels.begin())] = weight;
        }
    }
    if (train.weights.empty()) train.weights.assign(train.targets.size(), 1.0f);
    for (std::size_t i = 0; i < train.targets.size(); ++i) {
        train.weights[i] *=
            static_cast<float>(per_class[static_cast<std::size_t>(train.targets[i])]);
    }
}

}  // namespace dlctl
