#pragma once

#include <string>
#include <vector>

#include "dlctl/checkpoint/checkpoint.h"

namespace dlctl {

/// How `predict` writes its rows.
struct PredictionFormat {
    std::string format = "csv";           ///< csv or jsonl
    std::vector<std::string> id_columns;  ///< input columns copied through, in order
    int top_k = 0;        ///< classifiers: the k most probable labels instead of every probability
    bool spread = false;  ///< a last "spread" column: the members' standard deviation
};

/// A CSV cell: quoted when it holds a delimiter, quote or line break (RFC 4180).
std::string csv_cell(const std::string& text);

/// Formats a model's outputs for rows as CSV lines (after header()) or JSON objects, one a line:
/// the id columns, "prediction" (a class label, or the value in the target's units) and the
/// class probabilities, or the top-k labels and their probabilities.
class PredictionFormatter {
  public:
    PredictionFormatter(const TaskInfo& task, PredictionFormat format);

    /// The CSV header line; empty for jsonl.
    std::string header() const;
    /// One row's line: `ids` as id_columns, `values` the row's outputs (Predictor::predict
    /// layout: P(positive) for binary, one probability a class, or the value) and its `spread`
    /// (Ensemble::predict; written when the format asks for it).
    std::string row(const std::vector<std::string>& ids,
                    const float* values,
                    float spread = 0.0f) const;
    /// The line of a row that could not be predicted (predict --on-error blank): `ids`, then
    /// empty cells (CSV) or a null prediction (jsonl), so output rows stay aligned with input.
    std::string blank_row(const std::vector<std::string>& ids) const;

  private:
    /// The row's class probabilities, and the class indices from most to least probable.
    void rank(const float* values, std::vector<float>& probs, std::vector<int>& order) const;
    std::string csv_row(const std::vector<std::string>& ids,
                        const std::string& prediction,
                        const std::vector<float>& probs,
                        const std::vector<int>& order,
                        float spread) const;
    std::string json_row(const std::vector<std::string>& ids,
                         const std::string& prediction,
                         float value,
                         const std::vector<float>& probs,
                         const std::vector<int>& order,
                         float spread) const;

    TaskInfo task_;
    PredictionFormat format_;
    int classes_ = 0;  ///< 0 regression; binary tasks have 2
    int top_k_ = 0;
};

}  // namespace dlctl
