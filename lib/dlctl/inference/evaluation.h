#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/data/dataset.h"
#include "dlctl/metrics/metrics.h"

namespace dlctl {

/// Precision, recall and F1 of one class against the rest, with its number of rows.
struct ClassReport {
    std::string label;
    double precision = 0.0;
    double recall = 0.0;
    double f1 = 0.0;
    std::int64_t support = 0;
};

/// Every metric of a task on a set of labelled rows.
struct EvaluationReport {
    std::int64_t rows = 0;
    std::optional<double> loss;  ///< the training loss (single models; ensembles have none)
    MetricValues metrics;
    ConfusionMatrix confusion;         ///< classification: rows actual, columns predicted
    std::vector<ClassReport> classes;  ///< classification
};

/// The metrics `eval` reports for a task: accuracy, precision, recall, f1, auc and log_loss
/// (multiclass: macro and weighted averages), or mse, rmse, mae and r2.
std::vector<std::string> evaluation_metrics(const TaskInfo& task);

/// Scores `outputs` (as Predictor::predict returns them, possibly averaged over an ensemble)
/// against the targets of `data` (as Predictor::encode writes them). `threshold`: binary
/// decision threshold on P(positive). `calibration_error`: classifiers' metrics end with `ece`,
/// the expected calibration error (metrics/calibration_error.h), which `eval` reports and
/// training's summaries leave out.
EvaluationReport evaluate_outputs(const TaskInfo& task,
                                  const std::vector<float>& outputs,
                                  const Dataset& data,
                                  double threshold,
                                  bool calibration_error = false);

}  // namespace dlctl
