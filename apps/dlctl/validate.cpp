#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/config/task.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/out_of_core.h"
#include "dlctl/data/summary.h"
#include "spec_options.h"

namespace dlctl::cli {

namespace {

struct ValidateOptions {
    SpecOptions spec;
    bool skip_data = false;
    bool no_cache = false;
};

int run_validate(const ValidateOptions& o) {
    std::vector<Override> flags;
    if (o.no_cache) flags.push_back({"data.cache", "false", "--no-cache"});
    const ExperimentSpec spec = load_spec_options(o.spec, std::move(flags));
    if (!o.skip_data) {
        const int classes = target_classes(spec);
        const PreparedData data = prepare_data_as_planned(spec.data, spec.seed, classes);
        for (const auto& line : data_summary_lines(data, classes)) spdlog::info("{}", line);
    }
    std::fputs(to_yaml(spec).c_str(), stdout);
    spdlog::info("spec is valid");
    return 0;
}

}  // namespace

void add_validate_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<ValidateOptions>();
    CLI::App* cmd = app.add_subcommand(
        "validate",
        "check a spec (and its data) and print the resolved spec, every default filled in");
    add_spec_options(cmd, options->spec);
    cmd->add_flag("--skip-data", options->skip_data,
                  "check the spec only, without preparing the data (a spec without a model still "
                  "reads the CSV to infer the task)");
    cmd->add_flag("--no-cache", options->no_cache,
                  "parse the CSV even if a cached parse exists (overrides data.cache)");
    cmd->footer(
        "Exit code 0 and the resolved YAML on stdout when the spec is valid; otherwise every\n"
        "problem with file:line:col and key path, and exit code 2 (spec) or 3 (data).\n\n"
        "Examples:\n"
        "  dlctl validate configs/breast_cancer.yaml\n"
        "  dlctl validate configs/breast_cancer.yaml --set train.batch_size=0   # exit 2");
    cmd->callback([options, &action] { action = [options] { return run_validate(*options); }; });
}

}  // namespace dlctl::cli
