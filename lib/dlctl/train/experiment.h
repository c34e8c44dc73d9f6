#pragma once

#include <filesystem>

#include "dlctl/config/spec.h"

namespace dlctl {

struct ExperimentOptions {
    std::filesystem::path run_dir;  ///< exact run directory; empty: a new one under output.dir
    bool show_progress = false;     ///< Keras-like progress line on stderr (a terminal)
};

struct ExperimentResult {
    std::filesystem::path run_dir;
    bool interrupted = false;  ///< stopped by Ctrl-C; outputs were written
};

/// Runs a resolved spec end to end: loads and encodes the data, trains on the spec's device,
/// evaluates the final model (the best one when early stopping restores it) on every split and
/// writes config.yaml, train.log, metrics.csv and summary.json into the run directory. Input
/// errors (spec, data, device) are thrown before the run directory is created; a failure after
/// that still leaves a summary.json saying why the run stopped.
ExperimentResult run_experiment(const ExperimentSpec& spec, const ExperimentOptions& options);

}  // namespace dlctl
