#include "dlctl/inference/evaluation.h"

#include "dlctl/core/error.h"
#include "dlctl/metrics/calibration_error.h"

namespace dlctl {

std::vector<std::string> evaluation_metrics(const TaskInfo& task) {
    if (task.classes == 0) return {"mse", "rmse", "mae", "r2"};
    if (task.classes == 1) return {"accuracy", "precision", "recall", "f1", "auc", "log_loss"};
    return {"accuracy",           "precision_macro", "recall_macro", "f1_macro", "f1_weighted",
            "precision_weighted", "recall_weighted", "auc",          "log_loss"};
}

EvaluationReport evaluate_outputs(const TaskInfo& task,
                                  const std::vector<float>& outputs,
                                  const Dataset& data,
                                  double threshold,
                                  bool calibration_error) {
    EvaluationReport report;
    report.rows = data.n_rows;
    // Regression outputs are in the target's units; the encoded targets are normalized.
    std::vector<float> targets = data.targets;
    if (task.classes == 0) {
        for (float& y : targets) {
            y = static_cast<float>(y * task.target_scale + task.target_offset);
        }
    }
    MetricAccumulator metrics(evaluation_metrics(task), task.classes);
    metrics.set_threshold(static_cast<float>(threshold));
    metrics.update(outputs.data(), targets.data(), data.n_rows);
    report.metrics = metrics.compute();
    if (task.classes == 0) return report;
    if (calibration_error) {
        DLCTL_CHECK(outputs.size() == static_cast<std::size_t>(data.n_rows * task.classes));
        report.metrics.emplace_back(
            "ece", expected_calibration_error(outputs.data(), data.targets.data(), data.n_rows,
                                              task.classes));
    }

    report.confusion = metrics.confusion();
    const std::size_t k = report.confusion.size();
    for (std::size_t c = 0; c < k; ++c) {
        std::int64_t predicted = 0, actual = 0;
        for (std::size_t o = 0; o < k; ++o) {
            predicted += report.confusion[o][c];
            actual += report.confusion[c][o];
        }
        const auto hit = static_cast<double>(report.confusion[c][c]);
        ClassReport r{task.labels[c], predicted > 0 ? hit / predicted : 0.0,
                      actual > 0 ? hit / actual : 0.0, 0.0, actual};
        r.f1 = r.precision + r.recall > 0 ? 2 * r.precision * r.recall / (r.precision + r.recall)
                                          : 0.0;
        report.classes.push_back(r);
    }
    return report;
}

}  // namespace dlctl
