#include <CLI/CLI.hpp>
#include <memory>

#include "commands.h"
#include "dlctl/core/error.h"

namespace dlctl::cli {

namespace {
struct ReportOptions {
    std::vector<std::string> dirs;
    std::string metric;
    std::string mode = "min";
    std::string format = "table";
    std::string plot;
};
}  // namespace

void add_report_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<ReportOptions>();
    CLI::App* cmd = app.add_subcommand("report", "leaderboard of the runs under directories");
    cmd->add_option("DIR", options->dirs, "directories holding run directories")->required();
    cmd->add_option("--metric", options->metric, "metric to rank by, e.g. val_loss");
    cmd->add_option("--mode", options->mode, "min or max")->check(CLI::IsMember({"min", "max"}));
    cmd->add_option("--format", options->format, "table, csv, json or markdown")
        ->check(CLI::IsMember({"table", "csv", "json", "markdown"}));
    cmd->add_option("--plot", options->plot, "also draw the sweep to this SVG file");
    cmd->footer("Example:\n  dlctl report runs/sweep --metric val_accuracy --mode max");
    cmd->callback([options, &action] {  // the capture keeps the bound options alive
        action = []() -> int {
            throw UnsupportedError("dlctl report (run comparison is not implemented yet)",
                                   "each run's metrics are in <run>/summary.json");
        };
    });
}

}  // namespace dlctl::cli
