#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/table.h"
#include "dlctl/inference/batched_inference.h"
#include "dlctl/inference/csv_columns.h"
#include "dlctl/loss/loss.h"
#include "dlctl/nn/sequential.h"

namespace dlctl {

/// The model of `checkpoint` built on `backend` with its weights, which must match its layers
/// exactly (IoError naming `path` and every missing or mis-shaped tensor otherwise).
std::unique_ptr<Sequential> load_model(Backend& backend,
                                       const Checkpoint& checkpoint,
                                       const std::filesystem::path& path);

/// Reads `path` and checks its tensors against its model on the CPU, as load_model does, for a
/// reader (inspect) that needs no predictions.
Checkpoint read_checked_checkpoint(const std::filesystem::path& path);

/// A checkpoint loaded for inference: its model on a backend, its preprocessing and label map.
/// Everything `eval` and `predict` compute goes through here, so both give the same outputs for
/// the same rows.
class Predictor {
  public:
    /// Reads and validates `path` (IoError) and builds its model on `device` with `threads`.
    Predictor(const std::filesystem::path& path, const std::string& device, int threads);
    ~Predictor();

    const std::filesystem::path& path() const { return path_; }
    const Checkpoint& checkpoint() const { return checkpoint_; }
    const TaskInfo& task() const { return checkpoint_.task; }
    /// Input columns the model needs, by name.
    std::vector<std::string> feature_names() const {
        return checkpoint_.preprocessor.feature_names();
    }
    /// How this model reads a CSV: its input columns with the types it was trained with and
    /// its missing-value markers; `with_target` adds the target (as text for classifiers) and
    /// the sample-weight column when `file_columns` has it.
    TableSchema schema(bool with_target, const std::vector<std::string>& file_columns) const;
    /// Values per row that predict() returns: K class probabilities (multiclass), P(positive)
    /// (binary) or the prediction in the target's units (regression).
    std::int64_t width() const;

    /// Rows of `table` through the saved preprocessing: feature columns by name (DataError
    /// listing every missing one) and, `with_target`, the target as training encoded it (class
    /// indices of the saved labels; regression values normalized as in training) and the sample
    /// weights if the spec had them. DataError naming file:line for a missing target or a label
    /// the model does not know.
    Dataset encode(const Table& table,
                   const std::vector<std::uint32_t>& rows,
                   bool with_target) const;

    /// Members of the model's ensemble (1 for a plain model).
    std::int64_t members() const { return model_->members(); }
    /// width() values per row of `data`, row after row (an ensemble's mean over its members);
    /// `each_member`, when given, gets every member's: members() × width() values per row.
    std::vector<float> predict(const Dataset& data, std::vector<float>* each_member = nullptr);
    /// The training loss over `data` (weighted as in training), as train's summary reports it.
    double loss(const Dataset& data);

    /// The temperature predict() and loss() divide the logits by (the checkpoint's calibration;
    /// 1 without one).
    double temperature() const {
        return checkpoint_.calibration ? checkpoint_.calibration->temperature : 1.0;
    }
    /// The model's logits for `data`, before any temperature and output activation: width()
    /// values for each member, members() × width() a row, row after row (temperature scaling
    /// fits on them).
    std::vector<float> logits(const Dataset& data);

  private:
    /// Inference memory for calls of up to `rows` (at most a default batch).
    void reserve(std::int64_t rows);

    std::filesystem::path path_;
    Checkpoint checkpoint_;
    std::unique_ptr<Backend> backend_;
    std::unique_ptr<Sequential> model_;
    std::unique_ptr<Loss> loss_;
    std::unique_ptr<BatchedInference> inference_;
    Buffer features_, targets_, weights_;
    std::int64_t reserved_ = 0;  ///< rows a call the memory is for
};

}  // namespace dlctl
