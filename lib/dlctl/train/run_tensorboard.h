#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/io/tensorboard_hparams.h"
#include "dlctl/io/tensorboard_writer.h"

namespace dlctl {

/// The hyperparameters a run reports to TensorBoard's HPARAMS dashboard: the settings a sweep
/// usually varies, named by their spec keys (name, seed, data.normalize, model.layers (their
/// count), each layer's units, rate or members, train.epochs, train.batch_size, train.loss,
/// train.optimizer.{type,lr,weight_decay}, train.schedule.type and, in a cross-validation fold,
/// train.cv.fold).
std::vector<HParam> tensorboard_hparams(const ExperimentSpec& spec);

/// A run's RUN/tensorboard/ event file, mirroring metrics.csv: each epoch's numbers as scalars
/// (tag: the column, step: the epoch; empty cells are left out) and the run's hyperparameters as
/// an hparams session that ends with the run.
class RunTensorboard {
  public:
    /// Starts a new event file with the session's start and the `earlier_rows` of a resumed run,
    /// so that it holds the epochs metrics.csv holds. A run continued in its own directory
    /// (`replace`) then removes the directory's older event files: TensorBoard would show their
    /// epochs, and their hparams session, beside the new file's. IoError naming the path when the
    /// file cannot be written.
    RunTensorboard(const std::filesystem::path& run_dir,
                   const ExperimentSpec& spec,
                   std::vector<std::string> columns,
                   const std::vector<std::vector<std::string>>& earlier_rows,
                   bool replace);

    /// One metrics.csv row (cells in the order of the columns), flushed to the file.
    void add_epoch(const std::vector<std::string>& row);
    /// Ends the hparams session with `status`, flushed.
    void finish(SessionStatus status);

  private:
    void add_row(const std::vector<std::string>& row);

    TensorboardWriter writer_;
    std::vector<std::string> columns_;
    std::int64_t last_step_ = 0;
};

}  // namespace dlctl
