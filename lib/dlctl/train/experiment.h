#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "dlctl/config/spec.h"
#include "dlctl/parallel/communicator.h"

namespace dlctl {

struct ExperimentOptions {
    std::filesystem::path run_dir;  ///< exact run directory; empty: a new one under output.dir
    bool show_progress = false;     ///< Keras-like progress line on stderr (a terminal)
    /// Checkpoint to continue from (weights, optimizer moments, schedule, early stopping,
    /// counters and the metrics.csv rows so far); empty: train from scratch.
    std::filesystem::path resume;
    /// Continue in `run_dir`, the directory of an earlier run (its files are replaced or
    /// appended to), instead of requiring a new or empty one.
    bool in_place = false;
    /// The ranks training one model together (data-parallel): rank 0 writes the run directory,
    /// the others only train. Null: this process alone.
    Communicator* ranks = nullptr;
};

struct ExperimentResult {
    std::filesystem::path run_dir;
    bool interrupted = false;  ///< stopped by Ctrl-C or SIGTERM; outputs were written
    int signal = 0;            ///< the signal that stopped it (SIGINT, SIGTERM), 0 if none
};

/// Runs a resolved spec end to end: loads and encodes the data, trains on the spec's device,
/// evaluates the final model (the best one when early stopping restores it) on every split and
/// writes config.yaml, train.log, metrics.csv, summary.json, model.safetensors and checkpoints/
/// into the run directory. Resuming checks that the checkpoint's seed, data and model settings
/// equal the spec's (UsageError listing every difference). Input
/// errors (spec, data, device) are thrown before the run directory is created; a failure after
/// that still leaves a summary.json saying why the run stopped.
/// With train.cv.folds (and no fold named), runs the cross-validation instead
/// (run_cross_validation; UsageError on several ranks).
ExperimentResult run_experiment(const ExperimentSpec& spec, const ExperimentOptions& options);

struct PreparedRun;

/// run_experiment of one run in two halves, for a caller that checks a run's inputs before it
/// creates a directory (cross-validation checks its first fold's before its own).
class Experiment {
  public:
    /// Everything that can reject the inputs: device, data, model and the checkpoint `resume`
    /// continues from (empty: none). Creates no file. On several `ranks`, every rank prepares
    /// the same data and they check that they agree on it and on the spec (RanksError).
    Experiment(ExperimentSpec spec,
               const std::filesystem::path& resume,
               Communicator* ranks = nullptr);
    ~Experiment();
    Experiment(const Experiment&) = delete;
    Experiment& operator=(const Experiment&) = delete;

    /// Creates (or continues in) the run directory of `options`, trains and writes the outputs.
    /// `options.resume` must be the constructor's `resume`. Call once.
    ExperimentResult run(const ExperimentOptions& options);

  private:
    /// A rank other than 0: the same training and evaluations, no file written.
    ExperimentResult follow(const ExperimentOptions& options);

    ExperimentSpec spec_;
    std::filesystem::path resume_;
    std::chrono::steady_clock::time_point started_;
    std::unique_ptr<PreparedRun> run_;
};

}  // namespace dlctl
