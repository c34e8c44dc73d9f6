#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/core/training_state.h"
#include "dlctl/data/preprocessor.h"
#include "dlctl/io/safetensors.h"

namespace dlctl {

/// Version of the checkpoint layout (metadata keys and tensor names). Readers take this one and
/// version 2 (whose history held every metrics.csv row); they refuse others.
inline constexpr int kCheckpointFormatVersion = 3;

/// What the model predicts and how its outputs map back to the data's own values.
struct TaskInfo {
    std::string task;                 ///< binary | multiclass | regression
    int classes = 0;                  ///< 0 regression, 1 binary, K multiclass (target_classes)
    std::string target;               ///< target column name
    std::vector<std::string> labels;  ///< class label of each output; binary: {negative, positive}
    double target_offset = 0.0;       ///< regression outputs are y · scale + offset
    double target_scale = 1.0;
};

/// The training CSV as it was read, so `eval` can re-create the held-out split only from the
/// same file.
struct DataOrigin {
    std::string path;
    std::uint64_t rows = 0;
    std::uint32_t crc32 = 0;  ///< of the file's bytes
};

/// The metrics.csv beside a checkpoint, up to its epoch, in a fixed size: the columns, the row
/// count, the last row and the crc32 of the file's text. Each checkpoint then costs the same
/// however long the run; a resumed run takes the rows from that metrics.csv, checked by the crc.
struct HistoryDigest {
    std::vector<std::string> columns;  ///< metrics.csv header
    std::uint64_t rows = 0;
    std::vector<std::string> last;  ///< the last row; empty without rows
    std::uint32_t crc32 = 0;        ///< of the header and rows as MetricsCsvWriter writes them

    /// The digest of a file with `columns` and `rows`.
    static HistoryDigest of(std::vector<std::string> columns,
                            const std::vector<std::vector<std::string>>& rows);
    /// The digest once `row` is appended.
    void add(std::vector<std::string> row);
};

/// Temperature scaling fitted by `dlctl calibrate` (metadata key `calibration`): predictions
/// divide the logits by `temperature` before the output activation (sigmoid or softmax). The
/// rest records how it was fitted.
struct Calibration {
    double temperature = 1.0;
    std::string data;                          ///< the labelled CSV it was fitted on
    std::uint64_t rows = 0;                    ///< its rows
    double nll_before = 0.0, nll_after = 0.0;  ///< log loss on those rows before and after
    double ece_before = 0.0, ece_after = 0.0;  ///< expected calibration error likewise
};

/// A self-contained trained model: the resolved spec, the fitted preprocessing, the label map,
/// the training state and every tensor (weights, batch-norm statistics, optimizer moments).
struct Checkpoint {
    int format_version = kCheckpointFormatVersion;  ///< as read (written: always the current)
    std::string dlctl_version;
    std::string spec_yaml;  ///< the resolved spec (config.yaml)
    ExperimentSpec spec;    ///< spec_yaml parsed (read_checkpoint fills it)
    Preprocessor preprocessor;
    TaskInfo task;
    DataOrigin data;
    TrainerState state;
    std::string best_monitor;  ///< metric that decides best.safetensors, e.g. val_loss
    HistoryDigest history;     ///< metrics.csv up to state.epoch
    std::optional<Calibration> calibration;  ///< classifiers only; none as trained
    std::vector<NamedTensor> tensors;
};

/// Writes `checkpoint` as a safetensors file (see docs/checkpoints.md), atomically.
void write_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint);

/// The metadata of `checkpoint` that stays the same through a run (all but its training state
/// and history), so that a writer checkpointing every epoch serialises it once.
std::map<std::string, std::string> run_metadata(const Checkpoint& checkpoint);

/// As write_checkpoint, with `run` = run_metadata(checkpoint) computed before.
void write_checkpoint(const std::filesystem::path& path,
                      const Checkpoint& checkpoint,
                      const std::map<std::string, std::string>& run);
/// The same with `tensors` streamed in place of checkpoint.tensors.
void write_checkpoint(const std::filesystem::path& path,
                      const Checkpoint& checkpoint,
                      const std::map<std::string, std::string>& run,
                      const std::vector<TensorSource>& tensors);

/// Reads and validates a checkpoint. Throws IoError naming the file and the problem for an
/// unreadable, truncated or corrupt file (checksum), a safetensors file that is not a dlctl
/// checkpoint, another format version, or invalid metadata.
Checkpoint read_checkpoint(const std::filesystem::path& path);

/// As read_checkpoint, from a file's bytes in memory; `name` stands for the file in messages.
Checkpoint parse_checkpoint(const std::string& name, std::string_view bytes);

}  // namespace dlctl
