#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dlctl/core/error.h"
#include "dlctl/inference/attributions.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/inference/labelled_rows.h"
#include "dlctl/inference/permutation_importance.h"
#include "dlctl/io/atomic_file.h"
#include "dlctl/plot/importance_plot.h"

namespace dlctl::cli {

namespace {

using nlohmann::json;

struct ExplainOptions {
    std::vector<std::string> checkpoints;
    std::string data;
    std::string output;
    std::string plot;
    ImportanceOptions importance;
    std::size_t rows = 0;
    int samples = 64;
    std::string device = "auto";
    int threads = 0;
};

/// The words of an importance: what it is the difference of.
std::string importance_definition(const PermutationImportance& p) {
    return p.higher_is_better
               ? "baseline " + p.metric + " - " + p.metric + " with the column shuffled"
               : p.metric + " with the column shuffled - baseline " + p.metric;
}

json columns_json(const PermutationImportance& importance) {
    json out = json::array();
    for (const ColumnImportance& c : importance.columns) {
        out.push_back({{"name", c.name},
                       {"mean", c.mean},
                       {"std", c.std},
                       {"scores", c.scores},
                       {"importances", c.importances}});
    }
    return out;
}

json attributions_json(const Attributions& a) {
    json baseline = json::object(), rows = json::array();
    for (std::size_t c = 0; c < a.columns.size(); ++c) baseline[a.columns[c]] = a.baseline[c];
    for (const RowAttribution& r : a.rows) {
        json values = json::object();
        double sum = 0.0;
        for (std::size_t c = 0; c < a.columns.size(); ++c) {
            values[a.columns[c]] = r.attributions[c];
            sum += r.attributions[c];
        }
        rows.push_back({{"row", r.row},
                        {"line", r.line},
                        {"output", r.output},
                        {"prediction", r.prediction},
                        {"baseline_prediction", r.baseline_prediction},
                        {"attributions", values},
                        {"sum_check",
                         {{"attribution_sum", sum},
                          {"prediction_minus_baseline", r.prediction - r.baseline_prediction},
                          {"residual", r.residual}}}});
    }
    return {{"method", a.method}, {"baseline", baseline}, {"rows", rows}};
}

json report_json(const ExplainOptions& o,
                 const std::string& data,
                 const PermutationImportance& importance,
                 const Attributions* attributions) {
    json out = {{"checkpoint", o.checkpoints.front()},
                {"checkpoints", o.checkpoints},
                {"data", data},
                {"rows", importance.rows.size()},
                {"metric", importance.metric},
                {"direction", importance.higher_is_better ? "higher is better" : "lower is better"},
                {"importance", importance_definition(importance)},
                {"baseline_score", importance.baseline},
                {"repeats", o.importance.repeats},
                {"seed", o.importance.seed},
                {"columns", columns_json(importance)}};
    if (attributions != nullptr) out["attributions"] = attributions_json(*attributions);
    return out;
}

std::size_t name_width(const std::vector<std::string>& names) {
    std::size_t width = 6;
    for (const auto& name : names) width = std::max(width, name.size());
    return width;
}

void print_importance(const PermutationImportance& p, const std::string& data) {
    std::printf("permutation importance of %zu input columns on %s\n", p.columns.size(),
                data.c_str());
    std::printf("metric %s (%s), baseline %.6g over %zu rows; importance = %s\n\n",
                p.metric.c_str(), p.higher_is_better ? "higher is better" : "lower is better",
                p.baseline, p.rows.size(), importance_definition(p).c_str());
    std::vector<std::string> names;
    for (const ColumnImportance& c : p.columns) names.push_back(c.name);
    const int width = static_cast<int>(name_width(names));
    std::printf("%-*s %12s %12s\n", width, "column", "importance", "std");
    for (const ColumnImportance& c : p.columns) {
        std::printf("%-*s %12.6f %12.6f\n", width, c.name.c_str(), c.mean, c.std);
    }
}

void print_attributions(const Attributions& a) {
    std::printf("\nattributions: %s; a column left out takes its baseline value:\n",
                a.method.c_str());
    for (std::size_t c = 0; c < a.columns.size(); ++c) {
        std::printf("  %s = %s\n", a.columns[c].c_str(), a.baseline[c].c_str());
    }
    const int width = static_cast<int>(name_width(a.columns));
    for (const RowAttribution& r : a.rows) {
        std::printf(
            "\nrow %u (line %u): %s = %.6g, baseline %.6g, attributions sum to %.6g "
            "(residual %.2g)\n",
            r.row, r.line, r.output.c_str(), r.prediction, r.baseline_prediction,
            r.prediction - r.baseline_prediction + r.residual, r.residual);
        std::vector<std::size_t> order(a.columns.size());
        for (std::size_t c = 0; c < order.size(); ++c) order[c] = c;
        std::stable_sort(order.begin(), order.end(), [&r](std::size_t x, std::size_t y) {
            return std::abs(r.attributions[x]) > std::abs(r.attributions[y]);
        });
        for (const std::size_t c : order) {
            std::printf("  %-*s %+12.6f\n", width, a.columns[c].c_str(), r.attributions[c]);
        }
    }
}

std::string importance_plot(const PermutationImportance& p,
                            const ExplainOptions& o,
                            const std::string& data,
                            const std::string& target) {
    std::vector<plot::ImportanceBar> bars;
    for (const ColumnImportance& c : p.columns) bars.push_back({c.name, c.mean, c.std});
    return plot::importance_svg(
        fmt::format("{}: permutation importance", target),
        fmt::format("{}; {} {:.4g} ({}), {} repeats, seed {}", data, p.metric, p.baseline,
                    p.higher_is_better ? "higher is better" : "lower is better",
                    o.importance.repeats, o.importance.seed),
        fmt::format("{} (mean ± std)", importance_definition(p)), bars);
}

void check_options(const ExplainOptions& o) {
    if (o.importance.repeats < 1) throw UsageError("--repeats must be at least 1");
    if (o.importance.max_rows < 0) throw UsageError("--max-rows must be >= 0 (0: every row)");
    if (o.samples < 2) throw UsageError("--samples must be at least 2");
}

int run_explain(ExplainOptions& o) {
    check_options(o);
    Ensemble ensemble(o.checkpoints, o.device, o.threads);
    LabelledRows rows =
        o.data.empty() ? held_out_test_rows(ensemble) : read_labelled_rows(o.data, ensemble);
    const PermutationImportance importance = permutation_importance(ensemble, rows, o.importance);
    std::unique_ptr<Attributions> attributions;
    if (o.rows > 0) {
        attributions = std::make_unique<Attributions>(shapley_attributions(
            ensemble, rows, {.count = o.rows, .samples = o.samples, .seed = o.importance.seed}));
    }
    print_importance(importance, rows.description);
    if (attributions) print_attributions(*attributions);
    if (!o.output.empty()) {
        write_file_atomic(
            o.output,
            report_json(o, rows.description, importance, attributions.get()).dump(2) + "\n");
        spdlog::info("wrote {}", o.output);
    }
    if (!o.plot.empty()) {
        write_file_atomic(o.plot, importance_plot(importance, o, rows.description,
                                                  ensemble.first().task().target));
        spdlog::info("wrote {}", o.plot);
    }
    return 0;
}

}  // namespace

void add_explain_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<ExplainOptions>();
    CLI::App* cmd = app.add_subcommand(
        "explain", "which input columns a checkpoint relies on, and why it predicts what it does");
    cmd->add_option("CHECKPOINT", options->checkpoints,
                    "checkpoint file, or a cross-validation run's checkpoints/ensemble.json "
                    "(several: an ensemble that averages them)")
        ->required();
    cmd->add_option("--data", options->data,
                    "labelled CSV to explain on, through the saved preprocessing (default: the "
                    "run's held-out test split, re-created from the saved seed)");
    cmd->add_option("--metric", options->importance.metric,
                    "metric importance is measured in, one of those eval reports (default: the "
                    "checkpoint's monitor when eval reports it, else accuracy or rmse)");
    cmd->add_option("--repeats", options->importance.repeats,
                    "shuffles of each column (default 5)");
    cmd->add_option("--seed", options->importance.seed,
                    "seed of the row sample, the shuffles and sampled permutations (default 0)");
    cmd->add_option("--max-rows", options->importance.max_rows,
                    "score at most this many rows, a seeded sample (default 10000; 0: all)");
    cmd->add_option("--rows", options->rows,
                    "also attribute the predictions of the first N rows to the input columns "
                    "(Shapley values)");
    cmd->add_option("--samples", options->samples,
                    "permutations per row for Shapley values of more than 10 columns (fewer "
                    "columns: exact; default 64)");
    cmd->add_option("--output", options->output,
                    "also write the importances (every repeat) and attributions to this JSON file");
    cmd->add_option("--plot", options->plot,
                    "also draw the importances as bars with ± std error bars into this SVG file");
    cmd->add_option("--device", options->device, "auto, cpu, cuda or cuda:N (default auto)");
    cmd->add_option("--threads", options->threads, "CPU threads, 0 = all cores");
    cmd->footer(
        "Permutation importance: the model is scored on the rows as they are, then with one\n"
        "input column's values shuffled across the rows (and encoded again), --repeats times per\n"
        "column. A column's importance is how much the metric worsens (larger = more important;\n"
        "about 0 for a column the model ignores). Prints a table, most important first, on\n"
        "stdout. --rows N splits each of the first N rows' prediction (regression value, "
        "P(positive)\n"
        "or the predicted class's probability) into Shapley values per input column against a\n"
        "baseline row of training fill values and most frequent categories; they sum to the\n"
        "prediction minus the baseline's.\n\n"
        "Examples:\n"
        "  dlctl explain runs/x/checkpoints/best.safetensors --data holdout.csv\n"
        "  dlctl explain runs/x/checkpoints/best.safetensors --data holdout.csv --output "
        "importance.json --plot importance.svg\n"
        "  dlctl explain runs/x/checkpoints/best.safetensors --metric auc --repeats 10 --rows 5\n"
        "  dlctl explain runs/cv/checkpoints/ensemble.json --data holdout.csv   # an ensemble");
    cmd->callback([options, &action] { action = [options] { return run_explain(*options); }; });
}

}  // namespace dlctl::cli
