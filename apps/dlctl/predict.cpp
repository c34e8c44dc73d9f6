#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <numeric>

#include "commands.h"
#include "dlctl/core/error.h"
#include "dlctl/inference/csv_columns.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/inference/prediction_format.h"
#include "dlctl/io/output_sink.h"

namespace dlctl::cli {

namespace {

struct PredictOptions {
    std::string data;
    std::vector<std::string> checkpoints;
    std::string output;
    PredictionFormat format;
    std::string on_error = "fail";
    std::string device = "auto";
    int threads = 0;
};

constexpr std::int64_t kChunkRows = 8192;

int run_predict(const PredictOptions& o) {
    if (o.format.top_k < 0) throw UsageError("--top-k must be >= 0");
    Ensemble ensemble(o.checkpoints, o.device, o.threads);
    const TaskInfo& task = ensemble.first().task();
    if (o.format.top_k > 0 && task.classes == 0) {
        throw UsageError("--top-k needs a classifier; this checkpoint is a regression model");
    }
    CsvColumnChunks chunks(CsvRowReader::open(o.data, csv_format('\0')),
                           ensemble.first().input_columns(), o.format.id_columns,
                           ensemble.first().checkpoint().spec.data.na_values, o.on_error == "skip");
    const std::vector<std::string> unused = chunks.unused_columns();
    if (!unused.empty()) {
        spdlog::info("ignoring {} column{} the model does not use: {}", unused.size(),
                     unused.size() == 1 ? "" : "s", fmt::join(unused, ", "));
    }
    const PredictionFormatter formatter(task, o.format);
    OutputSink sink(o.output);
    sink.write(formatter.header());
    Table table;
    std::vector<std::vector<std::string>> ids;
    std::vector<std::uint32_t> rows;
    std::int64_t written = 0;
    const auto width = static_cast<std::size_t>(ensemble.first().width());
    while (chunks.next(kChunkRows, table, ids)) {
        rows.resize(table.rows());
        std::iota(rows.begin(), rows.end(), 0u);
        const std::vector<float> outputs = ensemble.predict(table, rows, false);
        std::string text;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            text += formatter.row(ids[r], outputs.data() + r * width);
        }
        sink.write(text);
        written += static_cast<std::int64_t>(rows.size());
    }
    sink.commit();
    if (chunks.skipped_rows() > 0) {
        spdlog::warn("skipped {} row{} with values that are not numbers (--on-error skip)",
                     chunks.skipped_rows(), chunks.skipped_rows() == 1 ? "" : "s");
    }
    spdlog::info("predicted {} rows{}{}", written,
                 ensemble.size() > 1 ? fmt::format(" with an ensemble of {}", ensemble.size()) : "",
                 o.output.empty() || o.output == "-" ? "" : " into " + o.output);
    return 0;
}

}  // namespace

void add_predict_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<PredictOptions>();
    CLI::App* cmd = app.add_subcommand("predict", "predict with a checkpoint on a CSV file");
    cmd->add_option("CSV", options->data, "rows to predict ('-' reads stdin)")->required();
    cmd->add_option("--checkpoint", options->checkpoints,
                    "checkpoint file (repeat to average an ensemble)")
        ->required();
    cmd->add_option("-o,--output", options->output, "output file (default: stdout)");
    cmd->add_option("--format", options->format.format, "csv (default) or jsonl")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    cmd->add_option("--id-column", options->format.id_columns,
                    "column copied through to the output (repeatable)");
    cmd->add_option("--top-k", options->format.top_k,
                    "instead of every class probability, the k most probable labels");
    cmd->add_option("--on-error", options->on_error,
                    "fail (default) or skip rows whose feature values are not numbers")
        ->check(CLI::IsMember({"fail", "skip"}));
    cmd->add_option("--device", options->device, "auto, cpu, cuda or cuda:N (default auto)");
    cmd->add_option("--threads", options->threads, "CPU threads, 0 = all cores");
    cmd->footer(
        "Columns are matched by name in any order; other columns are ignored. The output has the\n"
        "--id-columns, 'prediction' (a class label, or the value in the target's units) and, for\n"
        "classifiers, one prob_<label> column per class. Rows stream through in chunks, so\n"
        "files larger than memory work.\n\n"
        "Examples:\n"
        "  dlctl predict new_rows.csv --checkpoint runs/x/checkpoints/best.safetensors -o "
        "preds.csv\n"
        "  cat rows.csv | dlctl predict - --checkpoint best.safetensors --format jsonl --top-k 2");
    cmd->callback([options, &action] { action = [options] { return run_predict(*options); }; });
}

}  // namespace dlctl::cli
