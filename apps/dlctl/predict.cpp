#include <CLI/CLI.hpp>
#include <memory>

#include "commands.h"
#include "dlctl/core/error.h"

namespace dlctl::cli {

namespace {
struct PredictOptions {
    std::string data;
    std::vector<std::string> checkpoints;
    std::string output;
    std::string format = "csv";
    std::vector<std::string> id_columns;
    int top_k = 0;
    std::string on_error = "fail";
};
}  // namespace

void add_predict_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<PredictOptions>();
    CLI::App* cmd = app.add_subcommand("predict", "predict with a checkpoint on a CSV file");
    cmd->add_option("CSV", options->data, "rows to predict ('-' reads stdin)")->required();
    cmd->add_option("--checkpoint", options->checkpoints, "checkpoint file (repeat to ensemble)")
        ->required();
    cmd->add_option("-o,--output", options->output, "output file (default: stdout)");
    cmd->add_option("--format", options->format, "csv or jsonl")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    cmd->add_option("--id-column", options->id_columns, "column copied through to the output");
    cmd->add_option("--top-k", options->top_k, "keep the k most probable classes");
    cmd->add_option("--on-error", options->on_error, "fail or skip rows that cannot be parsed")
        ->check(CLI::IsMember({"fail", "skip"}));
    cmd->footer(
        "Examples:\n"
        "  dlctl predict new_rows.csv --checkpoint runs/x/checkpoints/best.safetensors -o "
        "preds.csv\n"
        "  cat rows.csv | dlctl predict - --checkpoint best.safetensors --format jsonl");
    cmd->callback([options, &action] {  // the capture keeps the bound options alive
        action = []() -> int {
            throw UnsupportedError("dlctl predict (checkpoints are not implemented yet)");
        };
    });
}

}  // namespace dlctl::cli
