#include <CLI/CLI.hpp>
#include <memory>

#include "commands.h"
#include "dlctl/core/error.h"

namespace dlctl::cli {

namespace {
struct InspectOptions {
    std::string checkpoint;
    bool json = false;
};
}  // namespace

void add_inspect_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<InspectOptions>();
    CLI::App* cmd = app.add_subcommand(
        "inspect", "show a checkpoint's architecture, preprocessing and training state");
    cmd->add_option("CHECKPOINT", options->checkpoint, "checkpoint file")->required();
    cmd->add_flag("--json", options->json, "machine-readable output");
    cmd->footer("Example:\n  dlctl inspect runs/x/checkpoints/best.safetensors --json");
    cmd->callback([options, &action] {  // the capture keeps the bound options alive
        action = []() -> int {
            throw UnsupportedError("dlctl inspect (checkpoints are not implemented yet)");
        };
    });
}

}  // namespace dlctl::cli
