#include <fmt/format.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dlctl/core/build_info.h"
#include "dlctl/core/error.h"
#include "dlctl/parallel/communicator.h"
#include "dlctl/parallel/rank_agreement.h"
#include "dlctl/train/experiment.h"
#include "dlctl/train/resume.h"
#include "spec_options.h"

namespace dlctl::cli {

namespace {

struct TrainOptions {
    SpecOptions spec;
    std::string run_dir;
    std::string device;
    std::string seed;
    std::string threads;
    std::string resume;
    std::string time_limit;
    bool no_cache = false;
};

/// On several ranks, every console line names its rank, and ranks other than 0 show only
/// warnings and errors.
void label_rank_logs(const Communicator& ranks) {
    if (ranks.size() == 1) return;
    for (const auto& sink : spdlog::default_logger()->sinks()) {
        sink->set_pattern(fmt::format("%^[%l]%$ [rank {}/{}] %v", ranks.rank(), ranks.size()));
        if (!ranks.leads()) sink->set_level(std::max(sink->level(), spdlog::level::warn));
    }
}

int train_on_ranks(const TrainOptions& o, Communicator& ranks) {
    const BuildInfo& build = build_info();
    check_ranks_agree(ranks, "dlctl build", build.version + " " + build.git_commit);
    std::vector<Override> flags;
    if (!o.device.empty()) flags.push_back({"train.device", o.device, "--device " + o.device});
    if (!o.seed.empty()) flags.push_back({"seed", o.seed, "--seed " + o.seed});
    if (!o.threads.empty()) flags.push_back({"train.threads", o.threads, "--threads " + o.threads});
    if (o.no_cache) flags.push_back({"data.cache", "false", "--no-cache"});
    if (!o.time_limit.empty()) {
        flags.push_back({"train.time_limit", o.time_limit, "--time-limit " + o.time_limit});
    }
    ExperimentSpec spec;
    on_every_rank(ranks, [&] { spec = load_spec_options(o.spec, std::move(flags)); });
    // The progress line is for people: a terminal, and a console not silenced by -q.
    const auto& sinks = spdlog::default_logger()->sinks();
    const bool console_info = !sinks.empty() && sinks.front()->level() <= spdlog::level::info;
    const bool progress = console_info && ::isatty(STDERR_FILENO) != 0 && ranks.leads();
    ExperimentOptions options = resume_options(o.run_dir, o.resume);
    options.show_progress = progress;
    options.ranks = &ranks;
    const ExperimentResult result = run_experiment(spec, options);
    if (ranks.leads()) {
        std::printf("%s\n", result.run_dir.string().c_str());
        std::fflush(stdout);  // before MPI ends: mpirun may end this rank once another exits
    }
    if (result.interrupted) {
        const bool terminated = result.signal == SIGTERM;
        if (ranks.leads()) {
            std::fprintf(stderr, "dlctl: %s; the outputs of the completed epochs are in %s\n",
                         terminated ? "stopped by SIGTERM" : "interrupted",
                         result.run_dir.string().c_str());
        }
        return static_cast<int>(terminated ? ExitCode::kTerminated : ExitCode::kInterrupted);
    }
    return 0;
}

int run_train(const TrainOptions& o) {
    const std::unique_ptr<Communicator> ranks = join_launched_ranks();
    label_rank_logs(*ranks);
    if (ranks->size() == 1) return train_on_ranks(o, *ranks);
    try {
        return train_on_ranks(o, *ranks);
    } catch (const RanksError& e) {
        // Rank 0 reports what every rank agreed on, before MPI ends: once every rank has left
        // MPI, mpirun ends the others as soon as one exits with an error.
        if (ranks->leads()) return report(e);
        return static_cast<int>(e.code());
    } catch (const Error& e) {
        // This rank alone failed: say which, and end the others rather than leave them waiting.
        std::fprintf(stderr, "dlctl: error: rank %d of %d: %s\n", ranks->rank(), ranks->size(),
                     e.what());
        if (!e.hint().empty()) std::fprintf(stderr, "  hint: %s\n", e.hint().c_str());
        ranks->abort(static_cast<int>(e.code()));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dlctl: internal error: rank %d of %d: %s\n", ranks->rank(),
                     ranks->size(), e.what());
    }
    ranks->abort(static_cast<int>(ExitCode::kInternal));
}

}  // namespace

void add_train_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<TrainOptions>();
    CLI::App* cmd = app.add_subcommand(
        "train", "train a model from a YAML experiment spec, or from a CSV file and --target");
    add_spec_options(cmd, options->spec);
    cmd->add_option("--run-dir", options->run_dir,
                    "write outputs to exactly this directory (default: a new timestamped "
                    "directory under output.dir)");
    cmd->add_option("--device", options->device,
                    "auto, cpu, cuda or cuda:N (overrides train.device)");
    cmd->add_option("--seed", options->seed, "random seed (overrides seed)");
    cmd->add_option("--threads", options->threads,
                    "CPU threads for matrix products, 0 = all cores (overrides train.threads)");
    cmd->add_option("--time-limit", options->time_limit,
                    "seconds of training: no epoch starts that would end past it; the best "
                    "weights so far are kept (overrides train.time_limit)");
    cmd->add_flag("--no-cache", options->no_cache,
                  "parse the CSV even if a cached parse exists (overrides data.cache)");
    cmd->add_option("--resume", options->resume,
                    "continue from a checkpoint: weights, optimizer moments, schedule, early "
                    "stopping, RNG and epoch; 'auto' = --run-dir's checkpoints/last.safetensors "
                    "(or a fresh start when there is none). In the checkpoint's own run "
                    "directory the run continues in place");
    cmd->footer(
        "Writes config.yaml (resolved spec), train.log, metrics.csv, summary.json,\n"
        "model.safetensors and checkpoints/{last,best}.safetensors into the run directory and\n"
        "prints that directory as the last line of stdout.\n\n"
        "Without a spec (a CSV and --target), dlctl infers the task from the target (binary,\n"
        "multiclass or regression; the log says which and why) and takes the model and\n"
        "training from --preset; config.yaml in the run directory is the spec it ran.\n\n"
        "Examples:\n"
        "  dlctl train data/penguins.csv --target species\n"
        "  dlctl train train.csv --target price --test-file test.csv --preset fast\n"
        "  dlctl train configs/breast_cancer.yaml\n"
        "  dlctl train configs/breast_cancer.yaml --set train.epochs=50 --seed 7 -q\n"
        "  run=$(dlctl train configs/diabetes.yaml --run-dir runs/sweep/lr0.01 | tail -1)\n"
        "  cat \"$run/summary.json\"\n"
        "  dlctl train configs/wine.yaml --run-dir runs/wine --resume auto   # restartable\n"
        "  dlctl train data/penguins.csv --target species --set train.cv.folds=5 --run-dir "
        "runs/cv\n"
        "  dlctl predict new.csv --checkpoint runs/cv/checkpoints/ensemble.json   # the 5 folds");
    cmd->callback([options, &action] { action = [options] { return run_train(*options); }; });
}

}  // namespace dlctl::cli
