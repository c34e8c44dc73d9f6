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

BadRows bad_row_policy(const std::string& on_error) {
    return on_error == "skip"    ? BadRows::kSkip
           : on_error == "blank" ? BadRows::kKeep
                                 : BadRows::kError;
}

void report_rejected_rows(const PredictOptions& o, std::int64_t rejected) {
    if (rejected == 0) return;
    const char* s = rejected == 1 ? "" : "s";
    if (o.on_error == "blank") {
        spdlog::warn(
            "wrote {} row{} without a prediction: a value is not of its column's type "
            "(--on-error blank)",
            rejected, s);
        return;
    }
    spdlog::warn(
        "skipped {} row{} with a value that is not of its column's type (--on-error "
        "skip){}",
        rejected, s,
        o.format.id_columns.empty()
            ? "; output rows no longer line up with input rows: pass --id-column, or "
              "--on-error blank to keep an empty row in their place"
            : "");
}

int run_predict(const PredictOptions& o) {
    if (o.format.top_k < 0) throw UsageError("--top-k must be >= 0");
    Ensemble ensemble(o.checkpoints, o.device, o.threads);
    const TaskInfo& task = ensemble.first().task();
    if (o.format.top_k > 0 && task.classes == 0) {
        throw UsageError("--top-k needs a classifier; this checkpoint is a regression model");
    }
    if (o.format.spread && ensemble.members() < 2) {
        throw UsageError("--spread needs an ensemble: this checkpoint is one model",
                         "train one with members ({type: ensemble} in model.layers, or --preset "
                         "tabm), or pass several --checkpoint");
    }
    CsvRowReader reader = CsvRowReader::open(o.data, csv_format('\0'));
    const Ensemble::Reading reading = ensemble.reading(false, reader.names());
    CsvColumnChunks chunks(std::move(reader), reading.schemas, o.format.id_columns,
                           bad_row_policy(o.on_error));
    const std::vector<std::string> unused = chunks.unused_columns();
    if (!unused.empty()) {
        spdlog::info("ignoring {} column{} the model does not use: {}", unused.size(),
                     unused.size() == 1 ? "" : "s", fmt::join(unused, ", "));
    }
    const PredictionFormatter formatter(task, o.format);
    OutputSink sink(o.output);
    sink.write(formatter.header());
    std::vector<Table> tables;
    std::vector<std::vector<std::string>> ids;
    std::vector<std::uint32_t> rows;
    std::vector<float> spread;
    std::int64_t written = 0;
    const auto width = static_cast<std::size_t>(ensemble.first().width());
    while (chunks.next(kChunkRows, tables, ids)) {
        const std::vector<std::uint32_t>& bad = chunks.bad_rows();
        rows.clear();
        for (std::uint32_t r = 0, b = 0; r < ids.size(); ++r) {
            if (b < bad.size() && bad[b] == r) {
                ++b;
            } else {
                rows.push_back(r);
            }
        }
        const std::vector<float> outputs =
            ensemble.predict(reading.member_tables(tables), rows, false, nullptr,
                             o.format.spread ? &spread : nullptr);
        std::string text;
        for (std::size_t r = 0, k = 0; r < ids.size(); ++r) {
            if (k < rows.size() && rows[k] == r) {
                text += formatter.row(ids[r], outputs.data() + k * width,
                                      o.format.spread ? spread[k] : 0.0f);
                ++k;
            } else {
                text += formatter.blank_row(ids[r]);
            }
        }
        sink.write(text);
        written += static_cast<std::int64_t>(ids.size());
    }
    sink.commit();
    report_rejected_rows(o, chunks.rejected_rows());
    spdlog::info("wrote {} rows{}{}", written,
                 ensemble.size() > 1 ? fmt::format(" from an ensemble of {}", ensemble.size()) : "",
                 o.output.empty() || o.output == "-" ? "" : " into " + o.output);
    return 0;
}

}  // namespace

void add_predict_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<PredictOptions>();
    CLI::App* cmd = app.add_subcommand("predict", "predict with a checkpoint on a CSV file");
    cmd->add_option("CSV", options->data, "rows to predict ('-' reads stdin)")->required();
    cmd->add_option(
           "--checkpoint", options->checkpoints,
           "checkpoint file, or a cross-validation run's checkpoints/ensemble.json (repeat "
           "to average an ensemble)")
        ->required();
    cmd->add_option("-o,--output", options->output, "output file (default: stdout)");
    cmd->add_option("--format", options->format.format, "csv (default) or jsonl")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    cmd->add_option("--id-column", options->format.id_columns,
                    "column copied through to the output (repeatable)");
    cmd->add_option("--top-k", options->format.top_k,
                    "instead of every class probability, the k most probable labels");
    cmd->add_flag("--spread", options->format.spread,
                  "add a 'spread' column: the standard deviation across an ensemble's members "
                  "(TabM members, several --checkpoint) of the predicted value, or of the "
                  "predicted class's probability");
    cmd->add_option("--on-error", options->on_error,
                    "a row with a value its column's type does not accept (not a number, not a "
                    "boolean): fail (default, naming file:line), skip it, or blank (write the "
                    "row with empty prediction cells, so output rows line up with input rows)")
        ->check(CLI::IsMember({"fail", "skip", "blank"}));
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
        "  cat rows.csv | dlctl predict - --checkpoint best.safetensors --format jsonl --top-k 2\n"
        "  dlctl predict new_rows.csv --checkpoint runs/tabm/checkpoints/best.safetensors "
        "--spread");
    cmd->callback([options, &action] { action = [options] { return run_predict(*options); }; });
}

}  // namespace dlctl::cli
