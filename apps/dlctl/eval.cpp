#include <CLI/CLI.hpp>
#include <memory>

#include "commands.h"
#include "dlctl/core/error.h"

namespace dlctl::cli {

namespace {
struct EvalOptions {
    std::vector<std::string> checkpoints;
    std::string data;
    std::string output;
    double threshold = 0.5;
};
}  // namespace

void add_eval_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<EvalOptions>();
    CLI::App* cmd = app.add_subcommand("eval", "evaluate a checkpoint on its test split or a CSV");
    cmd->add_option("--checkpoint", options->checkpoints, "checkpoint file (repeat to ensemble)")
        ->required();
    cmd->add_option("--data", options->data,
                    "labelled CSV to evaluate on (default: the run's held-out test split)");
    cmd->add_option("--output", options->output, "also write every metric to this JSON file");
    cmd->add_option("--threshold", options->threshold, "decision threshold for binary tasks");
    cmd->footer(
        "Examples:\n"
        "  dlctl eval --checkpoint runs/x/checkpoints/best.safetensors\n"
        "  dlctl eval --checkpoint runs/x/checkpoints/best.safetensors --data new.csv "
        "--output eval.json");
    cmd->callback([options, &action] {  // the capture keeps the bound options alive
        action = []() -> int {
            throw UnsupportedError("dlctl eval (checkpoints are not implemented yet)",
                                   "the test metrics of a run are in its summary.json");
        };
    });
}

}  // namespace dlctl::cli
