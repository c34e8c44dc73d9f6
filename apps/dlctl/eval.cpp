#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

#include "commands.h"
#include "dlctl/core/error.h"
#include "dlctl/inference/csv_columns.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/inference/evaluation.h"
#include "dlctl/inference/group_metrics.h"
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
    std::string group_by;
    double threshold = 0.5;
    std::string device = "auto";
    int threads = 0;
};

json number_or_null(double value) { return std::isnan(value) ? json(nullptr) : json(value); }

json number_or_null(const std::optional<double>& value) {
    return value ? number_or_null(*value) : json(nullptr);
}

json metrics_json(const EvaluationReport& report) {
    json metrics = json::object();
    if (report.loss) metrics["loss"] = *report.loss;
    for (const auto& [name, value] : report.metrics) metrics[name] = number_or_null(value);
    return metrics;
}

/// eval.json's `groups` and, for binary tasks, the fairness differences.
void add_groups_json(json& out,
                     const GroupMetrics& groups,
                     const std::string& column,
                     int classes) {
    json list = json::array();
    for (const GroupReport& g : groups.groups) {
        json entry = {
            {"group", g.name}, {"rows", g.report.rows}, {"metrics", metrics_json(g.report)}};
        if (classes == 1) {
            entry["selection_rate"] = number_or_null(g.selection_rate);
            entry["true_positive_rate"] = number_or_null(g.true_positive_rate);
            entry["false_positive_rate"] = number_or_null(g.false_positive_rate);
        }
        list.push_back(entry);
    }
    out["group_by"] = column;
    out["groups"] = list;
    if (classes == 1) {
        out["demographic_parity_difference"] = number_or_null(groups.demographic_parity_difference);
        out["equalized_odds_difference"] = number_or_null(groups.equalized_odds_difference);
    }
}

json report_json(const EvaluationReport& report,
                 const EvalOptions& o,
                 const Ensemble& ensemble,
                 const std::string& description) {
    const json metrics = metrics_json(report);
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

std::string cell(const std::optional<double>& value) {
    return value && !std::isnan(*value) ? fmt::format("{:.4f}", *value) : "-";
}

/// The metrics of the groups table: a few of each task's, with the binary rates after them.
std::vector<std::string> group_table_metrics(const TaskInfo& task) {
    if (task.classes == 0) return {"rmse", "mae", "r2"};
    if (task.classes == 1) return {"accuracy", "f1", "auc", "log_loss", "ece"};
    return {"accuracy", "f1_macro", "auc", "log_loss", "ece"};
}

void print_groups(const GroupMetrics& groups,
                  const std::string& column,
                  const TaskInfo& task,
                  double threshold) {
    const std::vector<std::string> names = group_table_metrics(task);
    int width = 5;
    for (const GroupReport& g : groups.groups)
        width = std::max(width, static_cast<int>(g.name.size()));
    std::printf("\nby '%s'%s\n%-*s %8s", column.c_str(),
                task.classes == 1 ? fmt::format(" (threshold {})", threshold).c_str() : "", width,
                "group", "rows");
    for (const auto& name : names) std::printf(" %9s", name.c_str());
    if (task.classes == 1) std::printf(" %9s %9s %9s", "selection", "tpr", "fpr");
    std::printf("\n");
    for (const GroupReport& g : groups.groups) {
        std::printf("%-*s %8lld", width, g.name.c_str(), static_cast<long long>(g.report.rows));
        for (const auto& name : names) {
            std::optional<double> value;
            for (const auto& [metric, v] : g.report.metrics) {
                if (metric == name) value = v;
            }
            std::printf(" %9s", cell(value).c_str());
        }
        if (task.classes == 1) {
            std::printf(" %9s %9s %9s", cell(g.selection_rate).c_str(),
                        cell(g.true_positive_rate).c_str(), cell(g.false_positive_rate).c_str());
        }
        std::printf("\n");
    }
    if (task.classes == 1) {
        std::printf("\n%-30s %s\n%-30s %s\n", "demographic_parity_difference",
                    cell(groups.demographic_parity_difference).c_str(), "equalized_odds_difference",
                    cell(groups.equalized_odds_difference).c_str());
    }
}

/// Each row's group: the --group-by cell, kMissingGroup when missing.
std::vector<std::string> group_names(const LabelledRows& rows) {
    std::vector<std::string> out;
    out.reserve(rows.groups.size());
    for (const auto& g : rows.groups) out.push_back(g.empty() ? kMissingGroup : g);
    return out;
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
    const LabelledRows rows = o.data.empty() ? held_out_test_rows(ensemble, o.group_by)
                                             : read_labelled_rows(o.data, ensemble, o.group_by);
    Dataset encoded;
    const std::vector<float> outputs = ensemble.predict(rows.tables, rows.rows, true, &encoded);
    const TaskInfo& task = ensemble.first().task();
    EvaluationReport report = evaluate_outputs(task, outputs, encoded, o.threshold, true);
    std::optional<GroupMetrics> groups;
    if (!o.group_by.empty()) {
        groups = group_metrics(task, outputs, encoded, group_names(rows), o.threshold, true);
        constexpr std::size_t kManyGroups = 50;
        if (groups->groups.size() > kManyGroups) {
            spdlog::warn(
                "--group-by '{}' makes {} groups: groups are the column's distinct "
                "values, so a column of a few categories suits it best",
                o.group_by, groups->groups.size());
        }
    }
    if (ensemble.size() == 1) {
        report.loss = ensemble.first().loss(encoded);
    }
    spdlog::info("evaluated {} on {}",
                 ensemble.size() == 1
                     ? o.checkpoints.front()
                     : fmt::format("an ensemble of {} checkpoints", ensemble.size()),
                 rows.description);
    print_report(report, task);
    if (groups) print_groups(*groups, o.group_by, task, o.threshold);
    if (!o.output.empty()) {
        json out = report_json(report, o, ensemble, rows.description);
        if (groups) add_groups_json(out, *groups, o.group_by, task.classes);
        write_file_atomic(o.output, out.dump(2) + "\n");
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
    cmd->add_option("--group-by", options->group_by,
                    "also score the rows of each value of this column of the data (any column, "
                    "used by the model or not; missing cells are the group '(missing)'): its "
                    "rows and metrics, and for binary tasks selection rate, TPR, FPR and the "
                    "demographic-parity and equalized-odds differences across the groups");
    cmd->add_option("--threshold", options->threshold,
                    "decision threshold on P(positive) for binary tasks (default 0.5)");
    cmd->add_option("--device", options->device, "auto, cpu, cuda or cuda:N (default auto)");
    cmd->add_option("--threads", options->threads, "CPU threads, 0 = all cores");
    cmd->footer(
        "Prints one metric per line (name, value) on stdout, then the confusion matrix and\n"
        "per-class report for classifiers, then with --group-by a table of the groups.\n"
        "Classifiers' metrics include ece, the expected calibration error (15 equal-width\n"
        "bins of the predicted class's probability); 'dlctl calibrate' lowers it.\n\n"
        "Examples:\n"
        "  dlctl eval --checkpoint runs/x/checkpoints/best.safetensors\n"
        "  dlctl eval --checkpoint runs/x/checkpoints/best.safetensors --data new.csv "
        "--output eval.json\n"
        "  dlctl eval --checkpoint runs/x/checkpoints/best.safetensors --plot roc.svg\n"
        "  dlctl eval --checkpoint runs/x/checkpoints/best.safetensors --data test.csv "
        "--group-by sex --output eval.json\n"
        "  dlctl eval --checkpoint runs/a/checkpoints/best.safetensors --checkpoint "
        "runs/b/checkpoints/best.safetensors --data holdout.csv\n"
        "  dlctl eval --checkpoint runs/cv/checkpoints/ensemble.json   # train.cv.folds's models");
    cmd->callback([options, &action] { action = [options] { return run_eval(*options); }; });
}

}  // namespace dlctl::cli
