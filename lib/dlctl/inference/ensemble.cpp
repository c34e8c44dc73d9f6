#include "dlctl/inference/ensemble.h"

#include <fmt/format.h>

#include <algorithm>

#include "dlctl/core/error.h"

namespace dlctl {

Ensemble::Ensemble(const std::vector<std::string>& paths, const std::string& device, int threads) {
    for (const auto& path : paths)
        models_.push_back(std::make_unique<Predictor>(path, device, threads));
    const Predictor& a = first();
    for (std::size_t i = 1; i < models_.size(); ++i) {
        const Predictor& b = *models_[i];
        std::vector<std::string> problems;
        auto sorted = [](std::vector<std::string> v) {
            std::sort(v.begin(), v.end());
            return v;
        };
        if (sorted(a.feature_names()) != sorted(b.feature_names())) {
            problems.push_back("different feature columns");
        }
        if (a.task().task != b.task().task) {
            problems.push_back("task " + a.task().task + " vs " + b.task().task);
        }
        if (a.task().target != b.task().target) {
            problems.push_back("target '" + a.task().target + "' vs '" + b.task().target + "'");
        }
        if (a.task().labels != b.task().labels) {
            problems.push_back(fmt::format("labels [{}] vs [{}]", fmt::join(a.task().labels, ", "),
                                           fmt::join(b.task().labels, ", ")));
        }
        if (!problems.empty()) {
            throw UsageError(
                fmt::format("checkpoints '{}' and '{}' cannot form an ensemble: {}",
                            a.path().string(), b.path().string(), fmt::join(problems, "; ")),
                "ensemble only models trained on the same features and labels");
        }
    }
}

std::vector<float> Ensemble::predict(const Table& table,
                                     const std::vector<std::uint32_t>& rows,
                                     bool with_target,
                                     Dataset* encoded) {
    std::vector<float> sum;
    for (std::size_t m = 0; m < models_.size(); ++m) {
        Dataset data = models_[m]->encode(table, rows, with_target);
        const std::vector<float> out = models_[m]->predict(data);
        if (m == 0) {
            sum = out;
            if (encoded != nullptr) *encoded = std::move(data);
        } else {
            for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += out[i];
        }
    }
    if (models_.size() > 1) {
        const float n = static_cast<float>(models_.size());
        for (float& v : sum) v /= n;
    }
    return sum;
}

}  // namespace dlctl
