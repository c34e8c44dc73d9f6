#include "spec_options.h"

#include <CLI/CLI.hpp>
#include <filesystem>

#include "dlctl/autospec/auto_spec.h"
#include "dlctl/autospec/presets.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"

namespace dlctl::cli {

namespace fs = std::filesystem;

namespace {

/// Whether `path` names a data file rather than a spec, by its extension.
bool looks_like_data(const std::string& path) {
    const std::string ext = fs::path(path).extension().string();
    return ext == ".csv" || ext == ".tsv" || ext == ".txt";
}

}  // namespace

void add_spec_options(CLI::App* cmd, SpecOptions& options) {
    cmd->add_option("SPEC", options.input,
                    "experiment spec (YAML), or a CSV file with --target (no spec needed)")
        ->required();
    cmd->add_option("--target", options.target,
                    "the column to predict; with a CSV in place of a spec, dlctl infers the task "
                    "and takes the model and training from --preset (sets data.target)");
    cmd->add_option("--test-file", options.test_file,
                    "labelled CSV to test on, in place of a test split (sets data.test_file)");
    cmd->add_option(
        "--preset", options.preset,
        "the model and training of a spec without a model section:\n" + describe_presets());
    cmd->add_option("--set", options.sets,
                    "override a spec key before validation, e.g. train.optimizer.lr=0.001 or "
                    "model.layers.0.units=64 (repeatable; values are YAML)")
        ->allow_extra_args(false);
}

ExperimentSpec load_spec_options(const SpecOptions& o, std::vector<Override> flags) {
    SpecRequest request;
    request.sets = o.sets;
    request.preset = o.preset;
    if (!o.test_file.empty()) {
        const std::string path = fs::absolute(o.test_file).string();
        flags.insert(flags.begin(),
                     {"data.test_file", yaml_quoted(path), "--test-file " + o.test_file});
    }
    if (looks_like_data(o.input)) {
        if (o.target.empty()) {
            throw UsageError("'" + o.input + "' is a data file: say which column to predict",
                             "add --target COLUMN (dlctl infers the rest), or pass a YAML spec");
        }
        const std::string csv = fs::absolute(o.input).string();
        request.yaml = data_only_spec(csv, o.target, "");
        request.source = o.input + " --target " + o.target;
        request.base_dir = fs::current_path();
    } else {
        if (!o.target.empty()) {
            flags.insert(flags.begin(),
                         {"data.target", yaml_quoted(o.target), "--target " + o.target});
        }
        request.yaml = read_spec_text(o.input);
        request.source = o.input;
        request.base_dir = fs::absolute(o.input).parent_path();
    }
    request.flags = std::move(flags);
    return load_spec_request(request);
}

}  // namespace dlctl::cli
