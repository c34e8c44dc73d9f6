#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>

#include "commands.h"
#include "dlctl/core/error.h"
#include "dlctl/inference/csv_columns.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/inference/evaluation.h"
#include "dlctl/inference/labelled_rows.h"
#include "dlctl/io/atomic_file.h"
#include "dlctl/plot/confusion_plot.h"
#include "dlctl/plot/run_plots.h"

namespace dlctl::cli {

namespace {

using nlohmann::json;

struct EvalOptions {
    std::vector<std::string> checkpoints;
    std::string data;
    std::string output;
    std::string plot;
    double threshold = 0.5;
    std::string device = "auto";
    int threads = 0;
};

json report_json(const EvaluationReport& report,
                 const EvalOptions& o,
                 const Ensemble& ensemble,
                 const std::string& description) {
    json metrics = json::object();
    if (report.loss) metrics["loss"] = *report.loss;
    for (const auto& [name, value] : report.metrics) {
        metrics[name] = std::isnan(value) ? json(nullptr) : json(value);
    }
    json out = {{"checkpoints", o.checkpoints},
                {"data", description},
                {"rows", report.rows},
                {"task", ensemble.first().task().task},
                {"metrics", metrics}};
    if (ensemble.first().task().classes == 1) out["threshold"] = o.threshold;
    if (!report.confusion.empty()) {
        out["labels"] = ensemble.first().task().labels;
        out["confusion_matrix"] = report.confusion;
        json classes = json::array();
        for (const ClassReport& c : report.classes) {
            classes.push_back({{"label", c.label},
                               {"precision", c.precision},
                               {"recall", c.recall},
                               {"f1", c.f1},
                               {"support", c.support}});
        }
        out["per_class"] = classes;
    }
    return out;
}

void print_report(const EvaluationReport& report, const TaskInfo& task) {
    if (report.loss) std::printf("%-20s %.6f\n", "loss", *report.loss);
    for (const auto& [name, value] : report.metrics)
        std::printf("%-20s %.6f\n", name.c_str(), value);
    if (report.confusion.empty()) return;
    std::size_t width = 9;
    for (const auto& label : task.labels) width = std::max(width, label.size() + 2);
    std::printf("\nconfusion matrix (rows: actual, columns: predicted)\n%*s",
                static_cast<int>(width), "");
    for (const auto& label : task.labels)
        std::printf("%*s", static_cast<int>(width), label.c_str());
    std::printf("\n");
    for (std::size_t r = 0; r < report.confusion.size(); ++r) {
        std::printf("%*s", static_cast<int>(width), task.labels[r].c_str());
        for (const auto n : report.confusion[r]) {
            std::printf("%*lld", static_cast<int>(width), static_cast<long long>(n));
        }
        std::printf("\n");
    }
    std::printf("\n%-*s %9s %9s %9s %9s\n", static_cast<int>(width), "class", "precision", "recall",
                "f1", "support");
    for (const ClassReport& c : report.classes) {
        std::printf("%-*s %9.4f %9.4f %9.4f %9lld\n", static_cast<int>(width), c.label.c_str(),
                    c.precision, c.recall, c.f1, static_cast<long long>(c.support));
    }
}

/// The diagnostics plot of a task: ROC, calibration and score distribution for binary tasks,
/// the confusion matrix for multiclass ones, predicted against actual values for regression.
std::string evaluation_svg(const TaskInfo& task,
                           const std::vector<float>& outputs,
                           const Dataset& encoded,
                           const EvaluationReport& report,
                           const std::string& description) {
    const std::string title = fmt::format("{}: {} evaluation", task.target, task.task);
    if (task.classes == 1) {
        std::vector<bool> positive;
        positive.reserve(encoded.targets.size());
        for (const float y : encoded.targets) positive.push_back(y > 0.5f);
        return plot::binary_diagnostics_svg(title, description, outputs, positive, task.labels);
    }
    if (task.classes > 1) return plot::confusion_svg(title, task.labels, report.confusion);
    std::vector<float> actual = encoded.targets;
    for (float& y : actual) y = static_cast<float>(y * task.target_scale + task.target_offset);
    return plot::regression_svg(title, description, task.target, outputs, actual);
}

int run_eval(const EvalOptions& o) {
    if (!(o.threshold > 0.0 && o.threshold < 1.0)) {
        throw UsageError(fmt::format("--threshold must be between 0 and 1, got {}", o.threshold));
    }
    Ensemble ensemble(o.checkpoints, o.device, o.threads);
    const LabelledRows rows =
        o.data.empty() ? held_out_test_rows(ensemble) : read_labelled_rows(o.data, ensemble);
    Dataset encoded;
    const std::vector<float> outputs = ensemble.predict(rows.tables, rows.rows, true, &encoded);
    const TaskInfo& task = ensemble.first().task();
    EvaluationReport report = evaluate_outputs(task, outputs, encoded, o.threshold, true);
    if (ensemble.size() == 1) {
        report.loss = ensemble.first().loss(encoded);
    }
    spdlog::info("evaluated {} on {}",
                 ensemble.size() == 1
                     ? o.checkpoints.front()
                     : fmt::format("an ensemble of {} checkpoints", ensemble.size()),
                 rows.description);
    print_report(report, task);
    if (!o.output.empty()) {
        write_file_atomic(o.output,
                          report_json(report, o, ensemble, rows.description).dump(2) + "\n");
        spdlog::info("wrote {}", o.output);
    }
    if (!o.plot.empty()) {
        write_file_atomic(o.plot, evaluation_svg(task, outputs, encoded, report, rows.description));
        spdlog::info("wrote {}", o.plot);
    }
    return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<EvalOptions>();
    CLI::App* cmd = app.add_subcommand("eval", "evaluate a checkpoint on its test split or a CSV");
    cmd->add_option(
           "--checkpoint", options->checkpoints,
           "checkpoint file, or a cross-validation run's checkpoints/ensemble.json (repeat "
           "to evaluate an ensemble that averages them)")
        ->required();
    cmd->add_option("--data", options->data,
                    "labelled CSV to evaluate on, through the saved preprocessing (default: the "
                    "run's held-out test split, re-created from the saved seed)");
    cmd->add_option("--output", options->output,
                    "also write every metric, the confusion matrix and per-class "
                    "precision/recall/F1 to this JSON file");
    cmd->add_option("--plot", options->plot,
                    "also draw diagnostics into this SVG file: ROC curve, calibration and "
                    "score distribution (binary), confusion matrix (multiclass), predicted vs "
                    "actual (regression)");
    cmd->add_option("--threshold", options->threshold,
                    "decision threshold on P(positive) for binary tasks (default 0.5)");
    cmd->add_option("--device", options->device, "auto, cpu, cuda or cuda:N (default auto)");
    cmd->add_option("--threads", options->threads, "CPU threads, 0 = all cores");
    cmd->footer(
        "Prints one metric per line (name, value) on stdout, then the confusion matrix and\n"
        "per-class report for classifiers. Classifiers' metrics include ece, the expected\n"
        "calibration error (15 equal-width bins of the predicted class's probability).\n\n"
        "Examples:\n"
        "  dlctl eval --checkpoint runs/x/checkpoints/best.safetensors\n"
        "  dlctl eval --checkpoint runs/x/checkpoints/best.safetensors --data new.csv "
        "--output eval.json\n"
        "  dlctl eval --checkpoint runs/x/checkpoints/best.safetensors --plot roc.svg\n"
        "  dlctl eval --checkpoint runs/a/checkpoints/best.safetensors --checkpoint "
        "runs/b/checkpoints/best.safetensors --data holdout.csv\n"
        "  dlctl eval --checkpoint runs/cv/checkpoints/ensemble.json   # train.cv.folds's models");
    cmd->callback([options, &action] { action = [options] { return run_eval(*options); }; });
}

}  // namespace dlctl::cli
