#pragma once

#include <string>
#include <vector>

#include "dlctl/config/overrides.h"
#include "dlctl/config/spec.h"

namespace CLI {
class App;
}

namespace dlctl::cli {

/// Where train, validate and init take their spec from: a YAML file, or a CSV file and
/// --target (no spec needed: the model and training come from a preset fitted to the data).
struct SpecOptions {
    std::string input;  ///< SPEC.yaml, or DATA.csv with --target
    std::string target;
    std::string test_file;
    std::string preset;
    std::vector<std::string> sets;
};

/// Adds the positional SPEC|CSV, --target, --test-file, --preset and --set to `cmd`.
void add_spec_options(CLI::App* cmd, SpecOptions& options);

/// The resolved spec (see load_spec_request), with `flags` (--seed, --device, ...) applied.
ExperimentSpec load_spec_options(const SpecOptions& options, std::vector<Override> flags);

}  // namespace dlctl::cli
