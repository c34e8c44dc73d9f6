#include "dlctl/inference/ensemble.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dlctl/checkpoint/ensemble_manifest.h"
#include "dlctl/core/error.h"

namespace dlctl {

void check_same_prediction(const TaskInfo& a,
                           const std::filesystem::path& a_path,
                           const TaskInfo& b,
                           const std::filesystem::path& b_path) {
    std::vector<std::string> problems;
    if (a.task != b.task) problems.push_back("task " + a.task + " vs " + b.task);
    if (a.target != b.target) problems.push_back("target '" + a.target + "' vs '" + b.target + "'");
    if (a.labels != b.labels) {
        problems.push_back(fmt::format("labels [{}] vs [{}]", fmt::join(a.labels, ", "),
                                       fmt::join(b.labels, ", ")));
    }
    if (!problems.empty()) {
        throw UsageError(fmt::format("checkpoints '{}' and '{}' cannot form an ensemble: {}",
                                     a_path.string(), b_path.string(), fmt::join(problems, "; ")),
                         "ensemble only models that predict the same target with the same labels");
    }
}

Ensemble::Ensemble(const std::vector<std::string>& paths, const std::string& device, int threads) {
    for (const auto& path : expand_ensemble_manifests(paths))
        models_.push_back(std::make_unique<Predictor>(path, device, threads));
    for (std::size_t i = 1; i < models_.size(); ++i) {
        check_same_prediction(first().task(), first().path(), models_[i]->task(),
                              models_[i]->path());
    }
}

Ensemble::Reading Ensemble::reading(bool with_target,
                                    const std::vector<std::string>& file_columns) const {
    Reading out;
    for (const auto& model : models_) {
        TableSchema schema = model->schema(with_target, file_columns);
        const auto it = std::find(out.schemas.begin(), out.schemas.end(), schema);
        out.schema_of_member.push_back(static_cast<std::size_t>(it - out.schemas.begin()));
        if (it == out.schemas.end()) out.schemas.push_back(std::move(schema));
    }
    return out;
}

std::vector<const Table*> Ensemble::Reading::member_tables(
    const std::vector<Table>& per_schema) const {
    std::vector<const Table*> out;
    for (const std::size_t s : schema_of_member) out.push_back(&per_schema.at(s));
    return out;
}

std::int64_t Ensemble::members() const {
    std::int64_t total = 0;
    for (const auto& model : models_) total += model->members();
    return total;
}

namespace {

/// The output whose spread a row reports: the predicted class's probability for multiclass,
/// else the one output.
std::size_t reported_output(const float* mean, std::size_t width) {
    return width == 1 ? 0 : static_cast<std::size_t>(std::max_element(mean, mean + width) - mean);
}

}  // namespace

std::vector<float> Ensemble::predict(const std::vector<const Table*>& tables,
                                     const std::vector<std::uint32_t>& rows,
                                     bool with_target,
                                     Dataset* encoded,
                                     std::vector<float>* spread) {
    std::vector<float> sum;
    std::vector<std::vector<float>> each_member(spread != nullptr ? models_.size() : 0);
    for (std::size_t m = 0; m < models_.size(); ++m) {
        Dataset data = models_[m]->encode(*tables.at(m), rows, with_target);
        const std::vector<float> out =
            models_[m]->predict(data, spread != nullptr ? &each_member[m] : nullptr);
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
    if (spread != nullptr) {
        const auto width = static_cast<std::size_t>(first().width());
        spread->assign(rows.size(), 0.0f);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const std::size_t j = reported_output(sum.data() + r * width, width);
            double variance = 0.0;
            for (std::size_t m = 0; m < models_.size(); ++m) {
                const auto k = static_cast<std::size_t>(models_[m]->members());
                for (std::size_t i = 0; i < k; ++i) {
                    const double d = each_member[m][(r * k + i) * width + j] - sum[r * width + j];
                    variance += d * d / static_cast<double>(k * models_.size());
                }
            }
            (*spread)[r] = static_cast<float>(std::sqrt(variance));
        }
    }
    return sum;
}

}  // namespace dlctl
