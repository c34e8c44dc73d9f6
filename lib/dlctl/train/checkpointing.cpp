#include "dlctl/train/checkpointing.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "dlctl/core/error.h"
#include "dlctl/io/atomic_file.h"
#include "dlctl/io/metrics_csv.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

EarlyStoppingSpec monitor_spec(const std::string& monitor) {
    EarlyStoppingSpec spec;
    spec.enabled = true;
    spec.monitor = monitor;
    spec.patience = std::numeric_limits<int>::max();
    return spec;
}

/// Removes all but the `keep` newest epoch-NNNN.safetensors files.
void prune_epoch_checkpoints(const fs::path& dir, int keep) {
    std::vector<fs::path> snapshots;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("epoch-") && name.ends_with(".safetensors")) {
            snapshots.push_back(entry.path());
        }
    }
    std::sort(snapshots.begin(), snapshots.end());  // zero-padded epochs sort by number
    for (std::size_t i = 0; i + static_cast<std::size_t>(keep) < snapshots.size(); ++i) {
        fs::remove(snapshots[i], ec);
    }
}

}  // namespace

std::string best_checkpoint_monitor(const ExperimentSpec& spec, bool has_validation) {
    if (spec.train.early_stopping.enabled) return spec.train.early_stopping.monitor;
    return has_validation ? "val_loss" : "loss";
}

CheckpointWriter::CheckpointWriter(fs::path run_dir, Checkpoint base)
    : dir_(std::move(run_dir) / "checkpoints"),
      base_(std::move(base)),
      run_metadata_(run_metadata(base_)),
      best_(monitor_spec(base_.best_monitor)) {
    best_.restore(base_.state.checkpoint_best);
    if (base_.spec.output.checkpoint_every > 0) {
        std::error_code ec;
        fs::create_directories(dir_, ec);
        if (ec) throw IoError("cannot create '" + dir_.string() + "': " + ec.message());
    }
}

void CheckpointWriter::end_epoch(const EpochResult& result,
                                 std::vector<std::string> metrics_row,
                                 Backend& backend,
                                 const Sequential& model,
                                 const Trainer& trainer) {
    base_.history.add(std::move(metrics_row));
    const bool improved = best_.update(result.epoch, logged_value(result, base_.best_monitor));
    const int every = base_.spec.output.checkpoint_every;
    if (every == 0) return;
    const bool last_due = result.epoch % every == 0 || result.epoch == base_.spec.train.epochs;
    if (!last_due && !improved) return;

    // The previous write had a whole epoch to finish; waiting here reports its error first and
    // hands copied_ back to this thread.
    finish();
    Checkpoint snapshot = base_;  // base_ holds no tensors: they are laid out on the writer thread
    snapshot.state = trainer.state();
    snapshot.state.checkpoint_best = best_.state();
    // Only a plain copy happens here, on the training thread: transposing to the file's layout
    // (chunk by chunk, into the writer's 1 MiB buffer), serialising, writing and fsync'ing
    // overlap the next epoch's training.
    take_snapshot(backend, model, trainer.checkpoint_buffers(), copied_);
    // The due names all hold this same checkpoint: it is written once, the others are links.
    std::vector<fs::path> due;
    if (improved) due.push_back(dir_ / "best.safetensors");
    const int keep = base_.spec.output.keep_checkpoints;
    if (last_due) {
        due.push_back(dir_ / "last.safetensors");
        if (keep > 0) due.push_back(dir_ / fmt::format("epoch-{:04}.safetensors", result.epoch));
    }
    // One write is in flight at a time, so files appear in epoch order and copied_ is the
    // writer's until finish().
    const int prune_to = last_due ? keep : 0;
    pending_ = std::async(std::launch::async, [this, snapshot = std::move(snapshot),
                                               due = std::move(due), prune_to]() mutable {
        write_checkpoint(due.front(), snapshot, run_metadata_, file_layout(copied_));
        for (std::size_t i = 1; i < due.size(); ++i) link_file_atomic(due.front(), due[i]);
        if (prune_to > 0) prune_epoch_checkpoints(dir_, prune_to);
    });
}

void CheckpointWriter::finish() {
    if (pending_.valid()) pending_.get();  // rethrows the write's IoError
}

CheckpointWriter::~CheckpointWriter() {
    if (!pending_.valid()) return;
    try {
        pending_.get();
    } catch (const std::exception& e) {  // already unwinding from another error
        spdlog::error("{}", e.what());
    }
}

std::vector<std::vector<std::string>> resumed_metrics_rows(const Checkpoint& checkpoint,
                                                           const fs::path& path) {
    const HistoryDigest& digest = checkpoint.history;
    if (digest.rows == 0) return {};
    const fs::path dir = path.parent_path();
    const fs::path csv =
        (dir.filename() == "checkpoints" ? dir.parent_path() : dir) / "metrics.csv";
    auto rows = read_metrics_csv(csv, digest.columns, digest.rows);
    if (rows && HistoryDigest::of(digest.columns, *rows).crc32 == digest.crc32) return *rows;
    spdlog::warn(
        "'{}' is missing or does not hold the {} epochs of '{}', so this run's "
        "metrics.csv starts after epoch {}; the earlier rows are in that run's "
        "metrics.csv",
        csv.string(), digest.rows, path.string(), checkpoint.state.epoch);
    return {};
}

void restore_training(const Checkpoint& checkpoint,
                      const fs::path& source,
                      Backend& backend,
                      Sequential& model,
                      Trainer& trainer) {
    import_weights(backend, model, checkpoint.tensors, source);
    for (const ParameterShaped& buffers : trainer.checkpoint_buffers()) {
        import_parameter_shaped(backend, model, buffers, checkpoint.tensors, source);
    }
    trainer.restore(checkpoint.state);
}

}  // namespace dlctl
