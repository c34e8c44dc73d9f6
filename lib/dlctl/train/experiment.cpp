#include "dlctl/train/experiment.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <nlohmann/json.hpp>
#include <optional>

#include "dlctl/backend/backend.h"
#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/config/spec_diff.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/config/task.h"
#include "dlctl/core/build_info.h"
#include "dlctl/core/crc32.h"
#include "dlctl/core/error.h"
#include "dlctl/core/process_memory.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/feature_file.h"
#include "dlctl/data/out_of_core.h"
#include "dlctl/data/prepare_on_ranks.h"
#include "dlctl/data/summary.h"
#include "dlctl/io/atomic_file.h"
#include "dlctl/io/metrics_csv.h"
#include "dlctl/io/run_dir.h"
#include "dlctl/io/safetensors.h"
#include "dlctl/nn/data_init.h"
#include "dlctl/nn/model_builder.h"
#include "dlctl/nn/model_weights.h"
#include "dlctl/parallel/rank_agreement.h"
#include "dlctl/parallel/row_shard.h"
#include "dlctl/train/checkpointing.h"
#include "dlctl/train/cross_validation.h"
#include "dlctl/train/interrupt.h"
#include "dlctl/train/parameter_groups.h"
#include "dlctl/train/rank_setup.h"
#include "dlctl/train/run_log.h"
#include "dlctl/train/run_plots.h"
#include "dlctl/train/run_tensorboard.h"
#include "dlctl/train/trainer.h"

namespace dlctl {

namespace fs = std::filesystem;
using nlohmann::json;

/// Everything a run needs that can reject its inputs (device, data, model, resume checkpoint),
/// made before the run directory exists.
struct PreparedRun {
    int classes = 0;
    std::unique_ptr<Backend> backend;
    PreparedData data;
    std::unique_ptr<Sequential> model;
    std::unique_ptr<Loss> loss;
    std::unique_ptr<Optimizer> optimizer;
    std::optional<Checkpoint> resumed;
    std::int64_t batch_size = 0;  ///< train.batch_size, or the largest split when smaller
    bool has_validation = false;
    Communicator* ranks = nullptr;  ///< several ranks training together; null: one process
    int threads = 0;                ///< CPU threads of this process (0: all cores)
    Dataset shards[3];              ///< several ranks: this rank's rows of train, validation, test
    MemoryPlan memory;              ///< in memory, or out of core within a budget
    double prepare_seconds = 0.0;   ///< reading, fitting and encoding the data
};

namespace {

json to_json(const Evaluation& evaluation) {
    json out = {{"loss", evaluation.loss}};
    for (const auto& [name, value] : evaluation.metrics) {
        out[name] = std::isnan(value) ? json(nullptr) : json(value);
    }
    if (!evaluation.confusion.empty()) out["confusion_matrix"] = evaluation.confusion;
    return out;
}

std::string describe(const Evaluation& evaluation, const std::string& prefix) {
    std::string text = fmt::format("{}loss {:.4f}", prefix, evaluation.loss);
    for (const auto& [name, value] : evaluation.metrics) {
        text += fmt::format(" - {}{} {:.4f}", prefix, name, value);
    }
    return text;
}

std::vector<std::string> metrics_columns(const ExperimentSpec& spec, bool with_validation) {
    std::vector<std::string> columns = {"epoch", "lr", "loss"};
    for (const auto& m : spec.train.metrics) columns.push_back(m);
    if (with_validation) {
        columns.push_back("val_loss");
        for (const auto& m : spec.train.metrics) columns.push_back("val_" + m);
    }
    columns.push_back("seconds");
    return columns;
}

/// One metrics.csv row; validation cells stay empty on epochs without validation.
std::vector<std::string> metrics_row(const EpochResult& r, bool with_validation) {
    auto cell = [](double v) { return fmt::format("{}", v); };
    std::vector<std::string> row = {std::to_string(r.epoch), cell(r.learning_rate),
                                    cell(r.train.loss)};
    for (const auto& [name, value] : r.train.metrics) row.push_back(cell(value));
    if (with_validation) {
        row.push_back(r.validation ? cell(r.validation->loss) : "");
        for (std::size_t i = 0; i < r.train.metrics.size(); ++i) {
            row.push_back(r.validation ? cell(r.validation->metrics[i].second) : "");
        }
    }
    row.push_back(cell(r.seconds));
    return row;
}

json base_summary(const ExperimentSpec& spec,
                  const PreparedData& data,
                  const Device& device,
                  const fs::path& run_dir) {
    const BuildInfo& build = build_info();
    return {{"name", spec.name},
            {"seed", spec.seed},
            {"device", to_string(device)},
            {"run_dir", run_dir.string()},
            {"data",
             {{"path", spec.data.path},
              {"rows", data.rows_read},
              {"train_rows", data.train.n_rows},
              {"validation_rows", data.validation.n_rows},
              {"test_rows", data.test.n_rows},
              {"features", data.feature_names}}},
            {"versions", {{"dlctl", build.version}, {"git_commit", build.git_commit}}}};
}

TaskInfo task_info(const PreparedData& data, int classes) {
    TaskInfo task;
    task.task = classes == 0 ? "regression" : classes == 1 ? "binary" : "multiclass";
    task.classes = classes;
    task.target = data.target_name;
    task.labels = data.labels;
    task.target_offset = data.target_offset;
    task.target_scale = data.target_scale;
    return task;
}

DataOrigin data_origin(const std::string& path, std::size_t rows) {
    return {path, rows, crc32_of_file(path).value_or(0)};
}

/// The checkpoint to resume from, checked against the spec of the new run.
Checkpoint load_resumed(const fs::path& path, const ExperimentSpec& spec) {
    Checkpoint checkpoint = read_checkpoint(path);
    const std::vector<std::string> differences = resume_differences(checkpoint.spec, spec);
    if (!differences.empty()) {
        std::string list;
        for (const auto& d : differences) list += "\n  " + d;
        throw UsageError("cannot resume from '" + path.string() +
                             "': the spec differs from the checkpoint's in settings that decide "
                             "the model and its data:" +
                             list,
                         "resume with the spec of that run (its config.yaml); only train and "
                         "output settings, e.g. train.epochs, may change");
    }
    return checkpoint;
}

void write_summary(const fs::path& run_dir, const json& summary) {
    write_file_atomic(run_dir / "summary.json", summary.dump(2) + "\n");
}

constexpr std::int64_t kDataInitRows = 2048;

/// model.data_init on up to kDataInitRows training rows (a resumed run then loads its weights).
/// Rows this process does not hold are read from disk, or from the rank that holds them.
void initialize_on_training_rows(Backend& backend,
                                 const Sequential& model,
                                 const Dataset& train,
                                 std::uint64_t seed,
                                 Communicator* ranks) {
    Rng rng(seed, RngStream::kInit, 1);
    std::vector<float> rows;
    if (!train.on_disk && !train.rank_block) {
        rows = sample_rows(train.features, train.n_features, train.n_rows, kDataInitRows, rng);
    } else {  // the same rows
        const std::int64_t width = train.n_features;
        const std::vector<std::int64_t> picked =
            sample_row_indices(train.n_rows, kDataInitRows, rng);
        rows.assign(picked.size() * static_cast<std::size_t>(width), 0.0f);
        for (std::size_t i = 0; i < picked.size(); ++i) {
            const std::int64_t held = picked[i] - train.features_first;
            if (train.on_disk) {
                train.on_disk->read(picked[i], 1, rows.data() + i * width);
            } else if (held >= 0 && held < train.feature_rows()) {
                std::copy_n(train.features.begin() + held * width, width,
                            rows.begin() + static_cast<std::int64_t>(i) * width);
            }
        }
        // Each row is held by one rank; the others add zeros.
        if (!train.on_disk) ranks->sum(rows.data(), static_cast<std::int64_t>(rows.size()));
    }
    const std::int64_t count = static_cast<std::int64_t>(rows.size()) / train.n_features;
    Buffer sample = backend.allocate(static_cast<std::int64_t>(rows.size()));
    backend.upload(rows.data(), sample.view(train.n_features, count));
    initialize_from_data(backend, model, sample.view(train.n_features, count), rng);
}

/// Rows training reads at a time from an on-disk split: the windows the training rows were laid
/// out in, whole batches.
std::int64_t training_window(const PreparedRun& run) {
    return (run.data.window_rows + run.batch_size - 1) / run.batch_size * run.batch_size;
}

/// Out-of-core data is read by one process, not split into folds (yet): UsageError (RanksError
/// on several ranks, which decide it together) naming data.in_memory.
void refuse_out_of_core_with(const ExperimentSpec& spec, Communicator* ranks) {
    const std::string what =
        "data out of core (data.in_memory: false, or auto for a file larger than half of "
        "data.memory_budget)";
    const std::string hint =
        "train in memory (data.in_memory: true), or out of core on one process without "
        "train.cv";
    if (ranks != nullptr) {
        throw RanksError(ExitCode::kUsage,
                         what + " is read by one process; it cannot be spread over ranks", hint);
    }
    if (spec.train.cv.folds > 0) throw UsageError(what + " does not support train.cv", hint);
}

/// `work`, on several ranks agreed with on_every_rank: a step a rank may fail alone, done
/// before the ranks next meet in a collective.
void on_each_rank(Communicator* ranks, const std::function<void()>& work) {
    if (ranks == nullptr) return work();
    on_every_rank(*ranks, work);
}

/// The run's data, as its memory plan and the ranks say it is read (collective on ranks).
void prepare_run_data(const ExperimentSpec& spec, PreparedRun& run) {
    const auto preparing = std::chrono::steady_clock::now();
    const bool out_of_core =
        run.ranks != nullptr ? run.ranks->any(run.memory.out_of_core) : run.memory.out_of_core;
    if (out_of_core) {
        refuse_out_of_core_with(spec, run.ranks);
        run.data = prepare_data_out_of_core(spec.data, spec.seed, run.classes, run.memory,
                                            {spec.train.batch_size, spec.train.shuffle});
    } else if (run.ranks != nullptr && spec.data.rank_reads == "part") {
        run.data =
            prepare_data_on_ranks(spec.data, spec.seed, run.classes, *run.ranks, spec.train.cv);
    } else {
        run.data = prepare_data(spec.data, spec.seed, run.classes, spec.train.cv);
    }
    run.prepare_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - preparing).count();
}

/// The model, loss and optimizer for the prepared data, and the checkpoint to resume from.
void build_run_model(const ExperimentSpec& spec, const fs::path& resume, PreparedRun& run) {
    PreparedData& data = run.data;
    apply_class_weights(data.train, data.labels, spec.train.class_weight, spec.train.class_weights);
    run.has_validation = data.validation.n_rows > 0;
    run.model = build_model(spec.model, data.train.n_features, spec.train.l1, spec.train.l2,
                            data.preprocessor.input_kinds());
    run.loss = make_loss(spec.train, run.model->output_activation());
    run.optimizer = make_optimizer(spec.train.optimizer);
    if (!resume.empty()) run.resumed = load_resumed(resume, spec);
    // No batch needs more rows than the largest split holds; buffers are sized by it.
    run.batch_size = std::min<std::int64_t>(
        spec.train.batch_size,
        std::max({data.train.n_rows, data.validation.n_rows, data.test.n_rows}));
    Rng init_rng(spec.seed, RngStream::kInit);
    run.model->build(*run.backend, init_rng);
    run.optimizer->set_groups(parameter_groups(spec.model, *run.model, spec.train.optimizer));
    if (!spec.model.init_from.empty()) {
        import_weights(*run.backend, *run.model, read_safetensors(spec.model.init_from),
                       spec.model.init_from);
    }
}

/// `ranks`: several ranks training together, or null for one process. The steps a rank may fail
/// alone are agreed on before the ranks meet in the data's or data_init's collectives.
PreparedRun prepare_run(const ExperimentSpec& spec, const fs::path& resume, Communicator* ranks) {
    PreparedRun run;
    run.ranks = ranks;
    run.classes = target_classes(spec);
    on_each_rank(ranks, [&] {
        const bool tf32 = spec.train.precision == "tf32";
        run.threads = threads_of_rank(spec.train.threads, run.ranks);
        run.backend = make_backend(device_of_rank(spec.train.device, run.ranks), run.threads, tf32);
        if (tf32 && run.backend->device().kind == DeviceKind::kCpu) {
            spdlog::info(
                "train.precision tf32 applies to GPU matrix products; the CPU computes in fp32");
        }
        run.memory = plan_memory(spec.data);
    });
    prepare_run_data(spec, run);
    on_each_rank(ranks, [&] { build_run_model(spec, resume, run); });
    if (spec.model.init_from.empty() && spec.model.data_init) {
        initialize_on_training_rows(*run.backend, *run.model, run.data.train, spec.seed, run.ranks);
    }
    return run;
}

/// The resolved spec, and the run's first lines of train.log and data_summary.json.
void write_run_header(const ExperimentSpec& spec, const PreparedRun& run, const fs::path& run_dir) {
    spdlog::info("dlctl {} - experiment '{}' - seed {} - device {}", build_info().version,
                 spec.name, spec.seed, to_string(run.backend->device()));
    spdlog::info("run directory: {}", run_dir.string());
    for (const auto& line : data_summary_lines(run.data, run.classes)) spdlog::info("{}", line);
    write_file_atomic(run_dir / "data_summary.json", data_summary_json(run.data, run.classes));
    const bool has_batch_norm =
        std::any_of(spec.model.layers.begin(), spec.model.layers.end(),
                    [](const LayerSpec& l) { return l.type == "batch_norm"; });
    if (has_batch_norm && (run.batch_size == 1 || run.data.train.n_rows % run.batch_size == 1)) {
        spdlog::warn(
            "batch_norm sees batches of a single row ({}): it normalises every "
            "value of such a batch to 0; choose another train.batch_size",
            run.batch_size == 1 ? "batch_size 1" : "the last batch of each epoch");
    }
    if (run.memory.out_of_core) {
        spdlog::info(
            "data out of core within data.memory_budget {}: training reads {} rows at "
            "a time from scratch files in the cache directory",
            byte_size_text(run.memory.budget), training_window(run));
    }
    if (run.ranks != nullptr) {
        spdlog::info(
            "data-parallel on {} ranks: each trains on its block of about {} training rows{}; "
            "every step's gradients are summed over the ranks",
            run.ranks->size(), run.data.train.n_rows / run.ranks->size(),
            run.backend->device().kind == DeviceKind::kCpu
                ? fmt::format(" with {} thread{} (rank 0)", run.threads,
                              run.threads == 1 ? "" : "s")
                : "");
        if (has_batch_norm) {
            spdlog::warn(
                "batch_norm normalises over each rank's rows of a batch, not the whole batch; "
                "its running statistics are rank 0's");
        }
    }
    if (!spec.model.init_from.empty()) {
        spdlog::info("initial weights from {}", spec.model.init_from);
    } else if (spec.model.data_init) {
        spdlog::info("dense layers initialised from {} training rows (model.data_init)",
                     std::min(run.data.train.n_rows, kDataInitRows));
    }
    if (const auto& groups = run.optimizer->groups(); groups.size() > 1) {
        const auto [low, high] = std::minmax_element(
            groups.begin(), groups.end(), [](const ParameterGroup& a, const ParameterGroup& b) {
                return a.lr_factor < b.lr_factor;
            });
        spdlog::info("optimizer: {} parameter groups, learning rate × {:.4g} to × {:.4g}",
                     groups.size(), low->lr_factor, high->lr_factor);
    }
    spdlog::info("model: {} layers, {} parameters, output activation {}",
                 run.model->layers().size(), run.model->parameter_count(),
                 to_string(run.model->output_activation()));
}

TrainerOptions trainer_options(const ExperimentSpec& spec,
                               const PreparedRun& run,
                               bool show_progress) {
    TrainerOptions o;
    o.ranks = run.ranks;
    o.epochs = spec.train.epochs;
    o.batch_size = static_cast<int>(run.batch_size);
    o.seed = spec.seed;
    o.metrics = spec.train.metrics;
    o.classes = run.classes;
    o.target_offset = run.data.target_offset;
    o.target_scale = run.data.target_scale;
    o.validate_every = spec.train.validate_every;
    o.shuffle = spec.train.shuffle;
    o.clip_norm = spec.train.clip_norm;
    o.clip_value = spec.train.clip_value;
    o.schedule = spec.train.schedule;
    o.dropout_schedule = spec.train.dropout_schedule;
    o.weight_decay_schedule = spec.train.weight_decay_schedule;
    o.early_stopping = spec.train.early_stopping;
    o.time_limit = spec.train.time_limit;
    o.show_progress = show_progress;
    if (run.memory.out_of_core) {
        o.window_rows = training_window(run);
    }
    return o;
}

/// What every checkpoint of the run carries besides its tensors: the resumed run's state
/// (restored into the model and trainer here) and the digest of `earlier_rows` (the resumed
/// run's metrics.csv rows, found here), then this run's spec, data and task.
Checkpoint checkpoint_base(const ExperimentSpec& spec,
                           const ExperimentOptions& options,
                           PreparedRun& run,
                           Trainer& trainer,
                           std::vector<std::vector<std::string>>& earlier_rows) {
    const std::vector<std::string> columns = metrics_columns(spec, run.has_validation);
    Checkpoint base;
    earlier_rows.clear();
    if (run.resumed) {
        restore_training(*run.resumed, options.resume, *run.backend, *run.model, trainer);
        spdlog::info("resumed from {} after epoch {} (step {})", options.resume.string(),
                     run.resumed->state.epoch, run.resumed->state.global_step);
        base = std::move(*run.resumed);
        base.tensors.clear();
        if (base.calibration) {  // training moves the logits the temperature was fitted to
            spdlog::warn(
                "{} was calibrated (temperature {:.4g}); the checkpoints of the resumed "
                "run are not: run 'dlctl calibrate' on them again",
                options.resume.string(), base.calibration->temperature);
            base.calibration.reset();
        }
        if (base.history.columns != columns) {
            throw UsageError(
                fmt::format("cannot resume from '{}': it logged the columns {}, "
                            "this spec logs {}",
                            options.resume.string(), fmt::join(base.history.columns, ","),
                            fmt::join(columns, ",")),
                "resume with the same train.metrics");
        }
        earlier_rows = resumed_metrics_rows(base, options.resume);
    }
    base.dlctl_version = build_info().version;
    base.spec = spec;
    base.spec_yaml = to_yaml(spec);
    base.preprocessor = run.data.preprocessor;
    base.task = task_info(run.data, run.classes);
    base.data = data_origin(spec.data.path, run.data.rows_read);
    base.history = HistoryDigest::of(columns, earlier_rows);
    if (base.best_monitor.empty())
        base.best_monitor = best_checkpoint_monitor(spec, run.has_validation);
    return base;
}

/// The three splits in the backend's memory.
struct DeviceSplits {
    DeviceDataset train, validation, test;
};

/// The splits in the backend's memory: all of each on one process; on several ranks, this
/// rank's block of each (kept in run.shards), the other rows' encoding released (the splits keep
/// their sizes).
DeviceSplits upload_splits(Trainer& trainer, PreparedRun& run) {
    Dataset* splits[3] = {&run.data.train, &run.data.validation, &run.data.test};
    DeviceDataset uploaded[3];
    for (int i = 0; i < 3; ++i) {
        if (run.ranks == nullptr) {
            uploaded[i] = trainer.upload(*splits[i]);
            continue;
        }
        const RowShard shard = shard_rows(splits[i]->n_rows, run.ranks->rank(), run.ranks->size());
        run.shards[i] = rows_of(*splits[i], shard.first, shard.count);
        uploaded[i] = trainer.upload(run.shards[i], shard);
        for (std::vector<float>* v :
             {&splits[i]->features, &splits[i]->targets, &splits[i]->weights}) {
            std::vector<float>().swap(*v);
        }
    }
    return {std::move(uploaded[0]), std::move(uploaded[1]), std::move(uploaded[2])};
}

/// upload_splits, whose class-index check fails only on the rank that holds a bad row: on
/// several ranks, every rank then throws that error (RanksError).
DeviceSplits upload_on_every_rank(Trainer& trainer, PreparedRun& run) {
    if (run.ranks == nullptr) return upload_splits(trainer, run);
    DeviceSplits splits;
    on_every_rank(*run.ranks, [&] { splits = upload_splits(trainer, run); });
    return splits;
}

struct TrainingOutcome {
    FitResult fit;
    double seconds = 0.0;            ///< the epochs and their checkpoints
    double allreduce_seconds = 0.0;  ///< of those, summing gradients over the ranks
};

/// Renames `file` to FILE.before-resume, replacing an older one, when it exists: a run resumed
/// in place without the earlier rows (its metrics.csv did not match the checkpoint) keeps them.
void keep_aside(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return;
    fs::path aside = file;
    aside += ".before-resume";
    fs::rename(file, aside, ec);
    if (ec) throw IoError("cannot rename '" + file.string() + "': " + ec.message());
    spdlog::warn("kept the earlier {} as {}", file.filename().string(), aside.string());
}

/// The epochs, each one's metrics.csv row, TensorBoard scalars (`tensorboard` may be null),
/// checkpoints, curves point and log line.
TrainingOutcome train_epochs(const ExperimentSpec& spec,
                             const ExperimentOptions& options,
                             PreparedRun& run,
                             Trainer& trainer,
                             const DeviceSplits& splits,
                             Checkpoint base,
                             const std::vector<std::vector<std::string>>& earlier_rows,
                             CurvesPlotter& curves,
                             RunTensorboard* tensorboard,
                             const fs::path& run_dir) {
    if (options.in_place && earlier_rows.empty()) keep_aside(run_dir / "metrics.csv");
    MetricsCsvWriter csv(run_dir / "metrics.csv", base.history.columns, earlier_rows,
                         options.in_place);
    CheckpointWriter checkpoints(run_dir, std::move(base));
    const auto started = std::chrono::steady_clock::now();
    TrainingOutcome outcome;
    outcome.fit = trainer.fit(
        splits.train, run.has_validation ? &splits.validation : nullptr, [&](const EpochResult& r) {
            const std::vector<std::string> row = metrics_row(r, run.has_validation);
            // The previous checkpoint is on disk before this epoch's row is: a kill leaves
            // last.safetensors at most one epoch behind metrics.csv.
            checkpoints.finish();
            csv.write_row(row);
            if (tensorboard != nullptr) tensorboard->add_epoch(row);
            checkpoints.end_epoch(r, row, *run.backend, *run.model, trainer);
            curves.add_epoch(row);
            spdlog::info("epoch {}/{} - {}{} - lr {:.3g} - {:.2f}s{}", r.epoch, spec.train.epochs,
                         describe(r.train, ""),
                         r.validation ? " - " + describe(*r.validation, "val_") : "",
                         r.learning_rate, r.seconds, r.best ? " (best)" : "");
        });
    checkpoints.finish();  // the last checkpoint is on disk: its write counts as training
    outcome.allreduce_seconds = trainer.allreduce_seconds();
    outcome.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return outcome;
}

void log_how_training_ended(const ExperimentSpec& spec, const FitResult& fit) {
    if (fit.stop_reason == "early_stopping") {
        spdlog::info("early stopping: no improvement of {} for {} epochs",
                     spec.train.early_stopping.monitor, spec.train.early_stopping.patience);
    } else if (fit.stop_reason == "time_limit") {
        spdlog::info(
            "time limit: stopped after {} epochs, before one that would end past "
            "train.time_limit ({} s)",
            fit.epochs_run, spec.train.time_limit);
    } else if (fit.stop_reason == "interrupted") {
        spdlog::warn("interrupted by {}: stopped after {} complete epochs; writing outputs",
                     InterruptGuard::signal() == SIGTERM ? "SIGTERM" : "Ctrl-C (SIGINT)",
                     fit.epochs_run);
    }
    if (fit.restored_best) {
        spdlog::info("restored the weights of epoch {} ({} {:.6g})", fit.best_epoch,
                     spec.train.early_stopping.monitor, fit.best_value);
    }
}

void write_model_file(const ExperimentSpec& spec, const PreparedRun& run, const fs::path& run_dir) {
    write_safetensors(run_dir / "model.safetensors", export_weights(*run.backend, *run.model),
                      {{"format", "dlctl-weights"},
                       {"format_version", "2"},
                       {"dlctl_version", build_info().version},
                       {"target_offset", fmt::format("{}", run.data.target_offset)},
                       {"target_scale", fmt::format("{}", run.data.target_scale)},
                       {"spec", to_yaml(spec)}});
}

/// The final model on every split, into the summary, and confusion.svg of the most held-out
/// split there is.
void evaluate_splits(const ExperimentSpec& spec,
                     const PreparedRun& run,
                     Trainer& trainer,
                     const DeviceSplits& splits,
                     const fs::path& run_dir,
                     json& summary) {
    std::pair<std::string, Evaluation> plotted{"train", trainer.evaluate(splits.train)};
    summary["train"] = to_json(plotted.second);
    if (run.has_validation) {
        plotted = {"validation", trainer.evaluate(splits.validation)};
        summary["validation"] = to_json(plotted.second);
    }
    if (run.data.test.n_rows > 0) {
        plotted = {"test", trainer.evaluate(splits.test)};
        summary["test"] = to_json(plotted.second);
        spdlog::info("test: {}", describe(plotted.second, ""));
    }
    if (!plotted.second.confusion.empty()) {
        write_confusion_plot(run_dir, spec.name, plotted.first, run.data.labels,
                             plotted.second.confusion);
    }
}

/// How the run ended, the model's size and the timings, into the summary.
void summarize_outcome(const ExperimentSpec& spec,
                       const PreparedRun& run,
                       const TrainingOutcome& outcome,
                       double total_seconds,
                       json& summary) {
    const FitResult& fit = outcome.fit;
    summary["status"] = fit.stop_reason == "interrupted" ? "interrupted" : "completed";
    summary["stop_reason"] = fit.stop_reason;
    summary["epochs_run"] = fit.epochs_run;
    if (spec.train.early_stopping.enabled) {
        summary["best"] = {{"epoch", fit.best_epoch},
                           {"monitor", spec.train.early_stopping.monitor},
                           {"value", fit.best_value},
                           {"restored", fit.restored_best}};
    }
    summary["model"] = {{"parameters", run.model->parameter_count()}};
    const double samples = static_cast<double>(run.data.train.n_rows) * fit.epochs_run;
    summary["timings"] = {
        {"train_seconds", outcome.seconds},
        {"samples_per_second", outcome.seconds > 0 ? samples / outcome.seconds : 0.0},
        {"prepare_seconds", run.prepare_seconds},
        {"total_seconds", total_seconds}};
    if (run.ranks != nullptr) {
        summary["ranks"] = run.ranks->size();
        summary["timings"]["allreduce_seconds"] = outcome.allreduce_seconds;
    }
    summary["memory"] = {{"in_memory", !run.memory.out_of_core},
                         {"budget_bytes", run.memory.budget},
                         {"peak_resident_bytes", peak_resident_bytes()}};
}

/// The hparams session status of a run's summary.json status.
SessionStatus session_status(const std::string& status) {
    if (status == "completed") return SessionStatus::kSuccess;
    if (status == "failed") return SessionStatus::kFailure;
    return SessionStatus::kUnknown;  // interrupted: it may be resumed
}

std::string curves_status(const FitResult& fit) {
    if (fit.stop_reason == "max_epochs") return "completed";
    if (fit.stop_reason == "early_stopping") return "stopped early";
    if (fit.stop_reason == "time_limit") return "stopped at the time limit";
    return fit.stop_reason;
}

}  // namespace

Experiment::Experiment(ExperimentSpec spec, const fs::path& resume, Communicator* ranks)
    : spec_(std::move(spec)), resume_(resume), started_(std::chrono::steady_clock::now()) {
    if (ranks == nullptr || ranks->size() == 1) {
        run_ = std::make_unique<PreparedRun>(prepare_run(spec_, resume, nullptr));
        return;
    }
    check_ranks_agree(*ranks, "resolved spec", to_yaml(spec_));
    on_every_rank(*ranks,
                  [&] { run_ = std::make_unique<PreparedRun>(prepare_run(spec_, resume, ranks)); });
    check_ranks_agree(*ranks, "encoded data", data_fingerprint(run_->data));
    // Ranks that resumed from different checkpoints (or some from none) would drift apart.
    const std::optional<Checkpoint>& resumed = run_->resumed;
    check_ranks_agree(*ranks, "checkpoint to resume from",
                      resumed ? fmt::format("{} after epoch {} (step {})", resume.string(),
                                            resumed->state.epoch, resumed->state.global_step)
                              : "none");
    // GPU ranks meet in the device's collectives, CPU ranks do not: all must be of one kind.
    const bool on_gpu = run_->backend->device().kind == DeviceKind::kCuda;
    check_ranks_agree(*ranks, "kind of device", on_gpu ? "cuda" : "cpu");
}

ExperimentResult Experiment::follow(const ExperimentOptions& options) {
    PreparedRun& run = *run_;
    const InterruptGuard interrupt_guard;
    Trainer trainer(*run.backend, *run.model, *run.loss, *run.optimizer,
                    trainer_options(spec_, run, false));
    const DeviceSplits splits = upload_on_every_rank(trainer, run);
    if (run.resumed) {
        restore_training(*run.resumed, options.resume, *run.backend, *run.model, trainer);
    }
    trainer.synchronize_model();
    // The collectives of Experiment::run's rank 0, in its order.
    const FitResult fit = trainer.fit(
        splits.train, run.has_validation ? &splits.validation : nullptr, [](const EpochResult&) {});
    trainer.evaluate(splits.train);
    if (run.has_validation) trainer.evaluate(splits.validation);
    if (run.data.test.n_rows > 0) trainer.evaluate(splits.test);
    return {{}, fit.stop_reason == "interrupted", InterruptGuard::signal()};
}

Experiment::~Experiment() = default;

ExperimentResult Experiment::run(const ExperimentOptions& options) {
    DLCTL_CHECK(options.resume == resume_);
    PreparedRun& run = *run_;
    if (run.ranks != nullptr && !run.ranks->leads()) return follow(options);
    const ExperimentSpec& spec = spec_;
    const auto started = started_;
    const fs::path run_dir = options.in_place ? reuse_run_dir(options.run_dir)
                                              : create_run_dir(spec.output.dir, options.run_dir);
    const RunDirLock lock(run_dir);
    // A run resumed in place writes its own summary: the old one would tell `report` it ended.
    if (options.in_place) {
        std::error_code ignored;  // none to remove is fine
        fs::remove(run_dir / "summary.json", ignored);
    }
    // From here on a Ctrl-C or SIGTERM stops training after its step and the run still writes
    // every output (Slurm's scancel and time limit send SIGTERM).
    const InterruptGuard interrupt_guard;
    json summary = base_summary(spec, run.data, run.backend->device(), run_dir);
    std::optional<RunLog> log;
    std::optional<CurvesPlotter> curves;
    std::optional<RunTensorboard> tensorboard;
    try {
        write_file_atomic(run_dir / "config.yaml", to_yaml(spec));
        log.emplace(run_dir / "train.log");
        write_run_header(spec, run, run_dir);

        Trainer trainer(*run.backend, *run.model, *run.loss, *run.optimizer,
                        trainer_options(spec, run, options.show_progress));
        if (const std::string steps = trainer.describe_steps(); !steps.empty()) {
            spdlog::info("{}", steps);
        }
        if (const std::string ranks = trainer.describe_ranks(); !ranks.empty()) {
            spdlog::info("{}", ranks);
        }
        const DeviceSplits splits = upload_on_every_rank(trainer, run);
        std::vector<std::vector<std::string>> earlier_rows;
        Checkpoint base = checkpoint_base(spec, options, run, trainer, earlier_rows);
        trainer.synchronize_model();
        curves.emplace(run_dir, spec.name, base.history.columns, earlier_rows);
        if (spec.output.tensorboard) {
            tensorboard.emplace(run_dir, spec, base.history.columns, earlier_rows,
                                options.in_place);
        }
        const TrainingOutcome outcome =
            train_epochs(spec, options, run, trainer, splits, std::move(base), earlier_rows,
                         *curves, tensorboard ? &*tensorboard : nullptr, run_dir);
        log_how_training_ended(spec, outcome.fit);

        write_model_file(spec, run, run_dir);
        curves->finish(curves_status(outcome.fit));
        evaluate_splits(spec, run, trainer, splits, run_dir, summary);
        summarize_outcome(
            spec, run, outcome,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
            summary);
        if (tensorboard) tensorboard->finish(session_status(summary["status"].get<std::string>()));
        write_summary(run_dir, summary);
        spdlog::info("outputs: {}", run_dir.string());
        // On several ranks a signal may have reached another rank only: the stop is the ranks'.
        return {run_dir, outcome.fit.stop_reason == "interrupted", InterruptGuard::signal()};
    } catch (const std::exception& e) {
        const auto* error = dynamic_cast<const Error*>(&e);
        summary["status"] = "failed";
        summary["error"] = e.what();
        summary["exit_code"] = static_cast<int>(error ? error->code() : ExitCode::kInternal);
        write_summary(run_dir, summary);
        if (curves) curves->finish("failed");
        if (tensorboard) {
            try {
                tensorboard->finish(SessionStatus::kFailure);
            } catch (const std::exception& ignored) {  // the run's own error is the one to report
                spdlog::debug("could not end the TensorBoard session: {}", ignored.what());
            }
        }
        throw;
    }
}

ExperimentResult run_experiment(const ExperimentSpec& spec, const ExperimentOptions& options) {
    const bool several = options.ranks != nullptr && options.ranks->size() > 1;
    if (spec.train.cv.folds > 0 && spec.train.cv.fold == 0) {
        if (several) {  // every rank finds this alike: rank 0 alone reports it
            throw RanksError(
                ExitCode::kUsage,
                fmt::format("train.cv runs its {} folds one after another in one process; it "
                            "cannot be spread over {} ranks",
                            spec.train.cv.folds, options.ranks->size()),
                "train each fold on the ranks (--set train.cv.fold=K), or run the cross-"
                "validation as one process");
        }
        return run_cross_validation(spec, options);
    }
    // Everything that can reject the inputs runs before the run directory exists.
    Experiment experiment(spec, options.resume, options.ranks);
    return experiment.run(options);
}

}  // namespace dlctl
