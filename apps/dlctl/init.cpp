#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dlctl/autospec/auto_spec.h"
#include "dlctl/io/output_sink.h"
#include "spec_options.h"

namespace dlctl::cli {

namespace {

struct InitOptions {
    SpecOptions spec;
    std::string output;
};

int run_init(const InitOptions& o) {
    const ExperimentSpec spec = load_spec_options(o.spec, {});
    OutputSink sink(o.output);
    sink.write(starter_spec(spec, o.spec.preset));
    sink.commit();
    if (!sink.is_stdout())
        spdlog::info("wrote {}; train it with: dlctl train {}", o.output, o.output);
    return 0;
}

}  // namespace

void add_init_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<InitOptions>();
    CLI::App* cmd = app.add_subcommand(
        "init", "write a starter spec for a CSV: the task inferred, a preset's model and training");
    add_spec_options(cmd, options->spec);
    cmd->add_option("-o,--output", options->output, "write the spec here (default: stdout)");
    cmd->footer(
        "Reads the CSV, infers the task from --target (the log says which and why) and prints\n"
        "the spec 'dlctl train DATA.csv --target COLUMN' would run, every default spelled out\n"
        "and each section commented, to edit and train.\n\n"
        "Examples:\n"
        "  dlctl init data/penguins.csv --target species > penguins.yaml\n"
        "  dlctl init train.csv --target price --preset fast -o price.yaml");
    cmd->callback([options, &action] { action = [options] { return run_init(*options); }; });
}

}  // namespace dlctl::cli
