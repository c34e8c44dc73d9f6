#include "dlctl/inference/group_metrics.h"

#include <algorithm>
#include <map>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

std::optional<double> rate(std::int64_t hits, std::int64_t total) {
    if (total == 0) return std::nullopt;
    return static_cast<double>(hits) / static_cast<double>(total);
}

/// max − min of the groups' defined values of a rate; none when no group has one.
template <typename Rate>
std::optional<double> range(const std::vector<GroupReport>& groups, Rate of) {
    std::optional<double> lo, hi;
    for (const GroupReport& g : groups) {
        const std::optional<double> v = of(g);
        if (!v) continue;
        lo = lo ? std::min(*lo, *v) : *v;
        hi = hi ? std::max(*hi, *v) : *v;
    }
    if (!lo) return std::nullopt;
    return *hi - *lo;
}

}  // namespace

GroupMetrics group_metrics(const TaskInfo& task,
                           const std::vector<float>& outputs,
                           const Dataset& data,
                           const std::vector<std::string>& group_of_row,
                           double threshold,
                           bool calibration_error) {
    const auto rows = static_cast<std::size_t>(data.n_rows);
    const std::size_t width = task.classes > 1 ? static_cast<std::size_t>(task.classes) : 1;
    DLCTL_CHECK(group_of_row.size() == rows && data.targets.size() == rows &&
                outputs.size() == rows * width);
    std::map<std::string, std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < rows; ++i) members[group_of_row[i]].push_back(i);

    GroupMetrics out;
    for (const auto& [name, indices] : members) {
        Dataset subset;
        subset.n_rows = static_cast<std::int64_t>(indices.size());
        std::vector<float> subset_outputs;
        subset_outputs.reserve(indices.size() * width);
        std::int64_t positives = 0, negatives = 0, selected = 0, true_positives = 0,
                     false_positives = 0;
        for (const std::size_t i : indices) {
            subset.targets.push_back(data.targets[i]);
            subset_outputs.insert(subset_outputs.end(), outputs.begin() + i * width,
                                  outputs.begin() + (i + 1) * width);
            if (task.classes != 1) continue;
            // As MetricAccumulator: P(positive) at or above the threshold is predicted positive.
            const bool predicted = outputs[i] >= static_cast<float>(threshold);
            const bool actual = data.targets[i] > 0.5f;
            selected += predicted;
            positives += actual;
            negatives += !actual;
            true_positives += predicted && actual;
            false_positives += predicted && !actual;
        }
        GroupReport g{name,
                      evaluate_outputs(task, subset_outputs, subset, threshold, calibration_error),
                      std::nullopt, std::nullopt, std::nullopt};
        if (task.classes == 1) {
            g.selection_rate = rate(selected, subset.n_rows);
            g.true_positive_rate = rate(true_positives, positives);
            g.false_positive_rate = rate(false_positives, negatives);
        }
        out.groups.push_back(std::move(g));
    }
    // std::map sorted them by name; the missing group goes last.
    std::stable_partition(out.groups.begin(), out.groups.end(),
                          [](const GroupReport& g) { return g.name != kMissingGroup; });
    if (task.classes == 1) {
        out.demographic_parity_difference =
            range(out.groups, [](const GroupReport& g) { return g.selection_rate; });
        const auto tpr =
            range(out.groups, [](const GroupReport& g) { return g.true_positive_rate; });
        const auto fpr =
            range(out.groups, [](const GroupReport& g) { return g.false_positive_rate; });
        if (tpr || fpr)
            out.equalized_odds_difference = std::max(tpr.value_or(0.0), fpr.value_or(0.0));
    }
    return out;
}

}  // namespace dlctl
