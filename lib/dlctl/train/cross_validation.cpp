#include "dlctl/train/cross_validation.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "dlctl/checkpoint/ensemble_manifest.h"
#include "dlctl/config/spec_diff.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/config/task.h"
#include "dlctl/core/build_info.h"
#include "dlctl/core/error.h"
#include "dlctl/data/dataset.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/inference/evaluation.h"
#include "dlctl/inference/labelled_rows.h"
#include "dlctl/io/atomic_file.h"
#include "dlctl/io/run_dir.h"
#include "dlctl/train/interrupt.h"
#include "dlctl/train/resume.h"
#include "dlctl/train/run_log.h"

namespace dlctl {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

fs::path fold_dir(const fs::path& run_dir, int fold) {
    return run_dir / "folds" / fmt::format("fold-{}", fold);
}

/// The spec of fold `fold`'s own run, with its share of the time limit.
ExperimentSpec fold_spec(const ExperimentSpec& spec, int fold, double time_limit) {
    ExperimentSpec out = spec;
    out.train.cv.fold = fold;
    out.train.time_limit = time_limit;
    return out;
}

/// A fold's summary.json; null when it has none (not run yet, or killed).
json read_fold_summary(const fs::path& dir) {
    std::ifstream in(dir / "summary.json");
    if (!in) return nullptr;
    json summary = json::parse(in, nullptr, false);
    return summary.is_discarded() || !summary.is_object() ? json(nullptr) : summary;
}

bool fold_completed(const fs::path& dir) {
    const json summary = read_fold_summary(dir);
    return summary.is_object() && summary.value("status", "") == "completed";
}

/// Where fold `fold` runs: a fresh directory, or (continuing the cross-validation in place) the
/// fold's earlier attempt, from its last checkpoint when it has one.
ExperimentOptions fold_options(const fs::path& run_dir, int fold, bool in_place, bool progress) {
    const fs::path dir = fold_dir(run_dir, fold);
    ExperimentOptions options =
        in_place ? resume_options(dir.string(), "auto") : ExperimentOptions{};
    options.run_dir = dir;
    options.show_progress = progress;
    return options;
}

/// The time limit of the next fold: what is left of train.time_limit shared by the folds left.
double fold_time_limit(const ExperimentSpec& spec, Clock::time_point started, int folds_left) {
    if (spec.train.time_limit <= 0.0) return 0.0;
    const double spent = std::chrono::duration<double>(Clock::now() - started).count();
    return std::max(spec.train.time_limit - spent, 1e-3) / folds_left;
}

/// The checkpoint a fold contributes to the ensemble: its best, else its last.
fs::path fold_member(const fs::path& dir) {
    for (const char* name : {"best.safetensors", "last.safetensors"}) {
        const fs::path path = dir / "checkpoints" / name;
        std::error_code ec;
        if (fs::exists(path, ec)) return path;
    }
    throw IoError("fold run '" + dir.string() + "' left no checkpoint to use",
                  "check output.checkpoint_every (0 writes none) and the fold's train.log");
}

json metrics_json(const EvaluationReport& report) {
    json out = {{"rows", report.rows}};
    for (const auto& [name, value] : report.metrics) {
        out[name] = std::isnan(value) ? json(nullptr) : json(value);
    }
    if (!report.confusion.empty()) out["confusion_matrix"] = report.confusion;
    return out;
}

std::string describe(const EvaluationReport& report) {
    std::string text;
    for (const auto& [name, value] : report.metrics) {
        text += fmt::format("{}{} {:.4f}", text.empty() ? "" : " - ", name, value);
    }
    return text;
}

/// Every row outside the test split, each predicted by the fold model that validated on it
/// (member m of `ensemble` is fold m + 1's), scored in the target's units.
EvaluationReport out_of_fold(const ExperimentSpec& spec, Ensemble& ensemble) {
    const TaskInfo& task = ensemble.first().task();
    const FoldRows folds = fold_rows(spec.data, spec.seed, task.classes, spec.train.cv.folds);
    std::vector<float> outputs;
    Dataset rows;
    for (std::size_t m = 0; m < ensemble.size(); ++m) {
        Predictor& member = *ensemble.models()[m];
        const Dataset encoded = member.encode(folds.table, folds.validation.at(m), true);
        const std::vector<float> predicted = member.predict(encoded);
        outputs.insert(outputs.end(), predicted.begin(), predicted.end());
        for (float y : encoded.targets) {
            if (task.classes == 0) {
                y = static_cast<float>(y * member.task().target_scale +
                                       member.task().target_offset);
            }
            rows.targets.push_back(y);
        }
        rows.n_rows += encoded.n_rows;
    }
    TaskInfo in_units = task;
    in_units.target_offset = 0.0;
    in_units.target_scale = 1.0;
    return evaluate_outputs(in_units, outputs, rows, 0.5);
}

/// The ensemble of every fold on the test rows (the test file or split), when there are any.
std::optional<EvaluationReport> ensemble_test(const ExperimentSpec& spec, Ensemble& ensemble) {
    if (spec.data.test_file.empty() && spec.data.split.test == 0.0) return std::nullopt;
    const LabelledRows rows = held_out_test_rows(ensemble);
    Dataset encoded;
    const std::vector<float> outputs = ensemble.predict(rows.tables, rows.rows, true, &encoded);
    return evaluate_outputs(ensemble.first().task(), outputs, encoded, 0.5);
}

/// A fold's line in summary.json, from its own summary `s`.
json fold_entry(int fold, const fs::path& dir, const fs::path& member, const json& s) {
    json out = {{"fold", fold}, {"run_dir", dir.string()}, {"checkpoint", member.string()}};
    for (const char* key : {"epochs_run", "stop_reason", "best", "validation"}) {
        if (s.is_object() && s.contains(key)) out[key] = s[key];
    }
    if (s.is_object() && s.contains("data")) {
        out["train_rows"] = s["data"].value("train_rows", 0);
        out["validation_rows"] = s["data"].value("validation_rows", 0);
    }
    return out;
}

double train_seconds_of(const json& s) {
    if (!s.is_object() || !s.contains("timings")) return 0.0;
    return s["timings"].value("train_seconds", 0.0);
}

/// The folds' checkpoints as one ensemble, their out-of-fold and test metrics into `summary`.
void finish_cross_validation(const ExperimentSpec& spec, const fs::path& run_dir, json& summary) {
    const int folds = spec.train.cv.folds;
    EnsembleManifest manifest{{}, "cross-validation"};
    json per_fold = json::array();
    double train_seconds = 0.0;
    for (int fold = 1; fold <= folds; ++fold) {
        const fs::path dir = fold_dir(run_dir, fold);
        const json fold_summary = read_fold_summary(dir);
        manifest.members.push_back(fold_member(dir));
        per_fold.push_back(fold_entry(fold, dir, manifest.members.back(), fold_summary));
        train_seconds += train_seconds_of(fold_summary);
    }
    const fs::path ensemble_file = run_dir / "checkpoints" / "ensemble.json";
    fs::create_directories(ensemble_file.parent_path());
    write_ensemble_manifest(ensemble_file, manifest);
    std::vector<std::string> members;
    for (const auto& m : manifest.members) members.push_back(m.string());
    Ensemble ensemble(members, spec.train.device, spec.train.threads);
    const EvaluationReport oof = out_of_fold(spec, ensemble);
    spdlog::info("out of fold ({} rows): {}", oof.rows, describe(oof));
    summary["out_of_fold"] = metrics_json(oof);
    if (const auto test = ensemble_test(spec, ensemble)) {
        spdlog::info("test, the {} folds' ensemble ({} rows): {}", folds, test->rows,
                     describe(*test));
        summary["test"] = metrics_json(*test);
    }
    summary["cv"] = {
        {"folds", folds}, {"ensemble", ensemble_file.string()}, {"per_fold", per_fold}};
    summary["timings"] = {{"train_seconds", train_seconds}};
    spdlog::info("ensemble of the {} folds: {}", folds, ensemble_file.string());
}

/// The folds from `fold` on that have not completed (in `run_dir`, when continuing there).
int folds_left(const ExperimentSpec& spec, const fs::path& run_dir, bool in_place, int fold) {
    int left = 0;
    for (int f = fold; f <= spec.train.cv.folds; ++f) {
        if (!in_place || !fold_completed(fold_dir(run_dir, f))) ++left;
    }
    return std::max(left, 1);
}

/// Fold `fold`'s run, checked and loaded (Experiment), with its share of the time limit over
/// the `folds_left` folds still to run.
std::unique_ptr<Experiment> prepare_fold(const ExperimentSpec& spec,
                                         int fold,
                                         const fs::path& resume,
                                         Clock::time_point started,
                                         int folds_left) {
    return std::make_unique<Experiment>(
        fold_spec(spec, fold, fold_time_limit(spec, started, folds_left)), resume);
}

/// Shows only errors while alive.
class QuietLog {
  public:
    QuietLog() : level_(spdlog::default_logger()->level()) {
        spdlog::default_logger()->set_level(std::max(level_, spdlog::level::err));
    }
    ~QuietLog() { spdlog::default_logger()->set_level(level_); }
    QuietLog(const QuietLog&) = delete;
    QuietLog& operator=(const QuietLog&) = delete;

  private:
    spdlog::level::level_enum level_;
};

/// Runs the folds not completed yet, one after another; false when a signal stopped one.
bool run_folds(const ExperimentSpec& spec,
               const ExperimentOptions& options,
               const fs::path& run_dir,
               std::unique_ptr<Experiment> first,
               int first_fold,
               Clock::time_point started) {
    const int folds = spec.train.cv.folds;
    for (int fold = first_fold; fold <= folds; ++fold) {
        if (fold != first_fold && fold_completed(fold_dir(run_dir, fold))) continue;
        if (InterruptGuard::requested()) return false;
        const ExperimentOptions fold_run =
            fold_options(run_dir, fold, options.in_place, options.show_progress);
        spdlog::info("fold {}/{}: {}", fold, folds, fold_run.run_dir.string());
        std::unique_ptr<Experiment> experiment = std::move(first);
        if (!experiment) {
            const QuietLog quiet;  // the first fold's data warnings would only repeat
            experiment = prepare_fold(spec, fold, fold_run.resume, started,
                                      folds_left(spec, run_dir, options.in_place, fold));
        }
        if (InterruptGuard::requested()) return false;  // a signal while the fold loaded
        if (experiment->run(fold_run).interrupted) return false;
    }
    return true;
}

/// A cross-validation continued in `run_dir` keeps its completed folds, so the spec must
/// deal and train them as that run did: the same seed, data, model and folds (UsageError
/// listing the differences otherwise).
void check_same_cross_validation(const ExperimentSpec& spec, const fs::path& run_dir) {
    const fs::path config = run_dir / "config.yaml";
    std::error_code ec;
    if (!fs::exists(config, ec)) return;  // the first attempt stopped before writing it
    const std::vector<std::string> differences = resume_differences(load_spec(config), spec);
    if (differences.empty()) return;
    std::string list;
    for (const auto& d : differences) list += "\n  " + d;
    throw UsageError("cannot continue the cross-validation in '" + run_dir.string() +
                         "': the spec differs from its config.yaml in settings that decide the "
                         "folds and their models:" +
                         list,
                     "continue with that run's config.yaml, or start a new run directory");
}

/// The first fold that still has to run (every fold of a fresh run; folds + 1 when all are
/// done).
int first_pending_fold(const ExperimentSpec& spec, const ExperimentOptions& options) {
    int fold = 1;
    while (options.in_place && fold <= spec.train.cv.folds &&
           fold_completed(fold_dir(options.run_dir, fold))) {
        ++fold;
    }
    return fold;
}

}  // namespace

ExperimentResult run_cross_validation(const ExperimentSpec& spec,
                                      const ExperimentOptions& options) {
    const auto started = Clock::now();
    if (!options.resume.empty()) {
        throw UsageError(
            "a cross-validation run (train.cv.folds) continues fold by fold, not "
            "from one checkpoint",
            "dlctl train SPEC --run-dir RUN --resume auto (RUN: the run directory)");
    }
    if (options.in_place) check_same_cross_validation(spec, options.run_dir);
    // The first fold to run checks the inputs (data, folds, model, device) before RUN exists.
    const int first_fold = first_pending_fold(spec, options);
    std::unique_ptr<Experiment> first;
    if (first_fold <= spec.train.cv.folds) {
        const ExperimentOptions o =
            fold_options(options.run_dir, first_fold, options.in_place, options.show_progress);
        first = prepare_fold(spec, first_fold, o.resume, started,
                             folds_left(spec, options.run_dir, options.in_place, first_fold));
    }
    const fs::path run_dir = options.in_place ? reuse_run_dir(options.run_dir)
                                              : create_run_dir(spec.output.dir, options.run_dir);
    const RunDirLock lock(run_dir);
    // Until this run ends, neither an old summary nor an old ensemble stands for it.
    std::error_code ignored;  // none to remove is fine
    fs::remove(run_dir / "summary.json", ignored);
    fs::remove(run_dir / "checkpoints" / "ensemble.json", ignored);
    const InterruptGuard interrupt_guard;
    json summary = {
        {"name", spec.name},
        {"seed", spec.seed},
        {"run_dir", run_dir.string()},
        {"data", {{"path", spec.data.path}}},
        {"versions", {{"dlctl", build_info().version}, {"git_commit", build_info().git_commit}}}};
    std::optional<RunLog> log;
    try {
        write_file_atomic(run_dir / "config.yaml", to_yaml(spec));
        log.emplace(run_dir / "train.log");
        spdlog::info("dlctl {} - experiment '{}' - {}-fold cross-validation - seed {}",
                     build_info().version, spec.name, spec.train.cv.folds, spec.seed);
        spdlog::info(
            "the rows outside the test split are dealt into {} folds; each fold "
            "validates the model trained on the others (data.split.validation is not "
            "used)",
            spec.train.cv.folds);
        const bool finished =
            run_folds(spec, options, run_dir, std::move(first), first_fold, started);
        if (finished) finish_cross_validation(spec, run_dir, summary);
        summary["status"] = finished ? "completed" : "interrupted";
        summary["timings"]["total_seconds"] =
            std::chrono::duration<double>(Clock::now() - started).count();
        write_file_atomic(run_dir / "summary.json", summary.dump(2) + "\n");
        spdlog::info("outputs: {}", run_dir.string());
        return {run_dir, !finished, InterruptGuard::signal()};
    } catch (const std::exception& e) {
        const auto* error = dynamic_cast<const Error*>(&e);
        summary["status"] = "failed";
        summary["error"] = e.what();
        summary["exit_code"] = static_cast<int>(error ? error->code() : ExitCode::kInternal);
        write_file_atomic(run_dir / "summary.json", summary.dump(2) + "\n");
        throw;
    }
}

}  // namespace dlctl
