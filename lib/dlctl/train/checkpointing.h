#pragma once

#include <filesystem>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/nn/model_weights.h"
#include "dlctl/train/trainer.h"

namespace dlctl {

/// Writes a run's checkpoints into `<run>/checkpoints/` after each epoch: last.safetensors every
/// output.checkpoint_every epochs, best.safetensors whenever the best monitor improves (the
/// early-stopping monitor, else val_loss, else loss) and the output.keep_checkpoints newest
/// epoch-NNNN.safetensors. Every file is replaced atomically. Files are written in the
/// background while training goes on; a failed write is thrown by the next end_epoch or finish.
/// Each checkpoint carries the digest of metrics.csv up to its epoch (HistoryDigest).
class CheckpointWriter {
  public:
    /// `base` holds what does not change during the run (spec, preprocessor, task, data origin,
    /// history columns, best_monitor) and, when resuming, the history and state of the resumed
    /// checkpoint.
    CheckpointWriter(std::filesystem::path run_dir, Checkpoint base);
    CheckpointWriter(const CheckpointWriter&) = delete;
    CheckpointWriter& operator=(const CheckpointWriter&) = delete;
    /// Waits for the write in flight; logs (cannot throw) its error.
    ~CheckpointWriter();

    /// Records the epoch's metrics.csv row and starts writing the checkpoints that are due.
    void end_epoch(const EpochResult& result,
                   std::vector<std::string> metrics_row,
                   Backend& backend,
                   const Sequential& model,
                   const Trainer& trainer);

    /// Waits until every checkpoint started is on disk; throws IoError if a write failed.
    void finish();

  private:
    std::filesystem::path dir_;
    Checkpoint base_;
    std::map<std::string, std::string> run_metadata_;  ///< of base_, serialised once
    EarlyStopping best_;
    TensorSnapshot copied_;      ///< the tensors of the checkpoint in flight (reused storage)
    std::future<void> pending_;  ///< the checkpoint being written
};

/// Restores the weights, optimizer moments, best weights and counters of `checkpoint` into a
/// model and trainer built from the same spec. Throws IoError listing missing or mis-shaped
/// tensors.
void restore_training(const Checkpoint& checkpoint,
                      const std::filesystem::path& source,
                      Backend& backend,
                      Sequential& model,
                      Trainer& trainer);

/// The metrics.csv rows of `checkpoint`'s epochs for a run resumed from it (file `path`): read
/// from its run's metrics.csv (`<run>/checkpoints/X.safetensors` -> `<run>/metrics.csv`) and
/// checked against its history digest. None, with a warning saying where the rows are, when that
/// file is missing or does not match: the new metrics.csv then starts after the resumed epoch.
std::vector<std::vector<std::string>> resumed_metrics_rows(const Checkpoint& checkpoint,
                                                           const std::filesystem::path& path);

/// The monitor that decides best.safetensors for a spec (see CheckpointWriter).
std::string best_checkpoint_monitor(const ExperimentSpec& spec, bool has_validation);

}  // namespace dlctl
