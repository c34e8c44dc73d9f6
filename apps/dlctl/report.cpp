#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dlctl/core/error.h"
#include "dlctl/io/atomic_file.h"
#include "dlctl/report/leaderboard.h"
#include "dlctl/report/sweep_plot.h"

namespace dlctl::cli {

namespace {

struct ReportOptions {
    std::vector<std::string> dirs;
    std::string metric;
    std::string mode = "auto";
    std::string format = "table";
    std::string plot;
};

int run_report(const ReportOptions& o) {
    std::vector<std::filesystem::path> roots(o.dirs.begin(), o.dirs.end());
    const Leaderboard board = make_leaderboard(roots, o.metric, o.mode);
    std::fputs(format_leaderboard(board, o.format).c_str(), stdout);
    if (!o.plot.empty()) {
        write_file_atomic(o.plot, sweep_svg(board));
        spdlog::info("wrote {}", o.plot);
    }
    return 0;
}

}  // namespace

void add_report_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<ReportOptions>();
    CLI::App* cmd = app.add_subcommand("report", "leaderboard of the runs under directories");
    cmd->add_option("DIR", options->dirs,
                    "directories holding run directories (searched recursively)")
        ->required();
    cmd->add_option("--metric", options->metric,
                    "metric to rank by: val_<m> (validation), test_<m> (test) or <m> (training), "
                    "e.g. val_accuracy (default: val_loss, or loss without validation)");
    cmd->add_option("--mode", options->mode, "min, max or auto (from the metric; default)")
        ->check(CLI::IsMember({"min", "max", "auto"}));
    cmd->add_option("--format", options->format, "table (default), csv, json or markdown")
        ->check(CLI::IsMember({"table", "csv", "json", "markdown"}));
    cmd->add_option("--plot", options->plot,
                    "also draw the metric against each varied setting into this SVG file");
    cmd->footer(
        "One row per run, best first: rank, run directory, status, the metric (its final value\n"
        "in summary.json), epochs, seconds, and every spec setting that differs between the\n"
        "runs. Status: completed, interrupted or failed (from summary.json); running (a dlctl\n"
        "train holds the directory now); incomplete (no summary.json and nothing running: the\n"
        "run was killed or crashed; --resume continues it); unreadable (a broken summary.json).\n"
        "A run whose config.yaml cannot be read is listed with '?' settings and a warning.\n\n"
        "Examples:\n"
        "  dlctl report runs/sweep --metric val_accuracy\n"
        "  dlctl report runs/sweep --metric test_accuracy --plot sweep.svg\n"
        "  dlctl report runs/sweep --format csv > leaderboard.csv");
    cmd->callback([options, &action] { action = [options] { return run_report(*options); }; });
}

}  // namespace dlctl::cli
