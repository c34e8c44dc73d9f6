#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dlctl/inference/csv_columns.h"
#include "dlctl/inference/predictor.h"

namespace dlctl {

/// UsageError naming both files unless checkpoints `a` and `b` predict the same thing (task,
/// target and labels), as the members of an ensemble must.
void check_same_prediction(const TaskInfo& a,
                           const std::filesystem::path& a_path,
                           const TaskInfo& b,
                           const std::filesystem::path& b_path);

/// One or more checkpoints whose predictions are averaged (an ensemble of one is one model).
/// Each member reads the data as it was trained to: its own columns, column types and
/// missing-value markers, and its own fitted preprocessing.
class Ensemble {
  public:
    /// Loads every checkpoint (an ensemble file, checkpoints/ensemble.json, stands for its
    /// members); throws UsageError when they do not predict the same thing (task,
    /// target and labels must agree).
    Ensemble(const std::vector<std::string>& paths, const std::string& device, int threads);

    const Predictor& first() const { return *models_.front(); }
    Predictor& first() { return *models_.front(); }
    std::size_t size() const { return models_.size(); }
    const std::vector<std::unique_ptr<Predictor>>& models() const { return models_; }

    /// How the members read a CSV: the distinct schemas (Predictor::schema, usually one) and
    /// which one each member reads with.
    struct Reading {
        std::vector<TableSchema> schemas;
        std::vector<std::size_t> schema_of_member;

        /// Each member's table among `per_schema`, tables read with `schemas` in order.
        std::vector<const Table*> member_tables(const std::vector<Table>& per_schema) const;
    };
    Reading reading(bool with_target, const std::vector<std::string>& file_columns) const;

    /// The mean of the members' outputs on rows of their tables (one per member, the same rows
    /// of the same file; Predictor::predict layout), and in `encoded` the first member's
    /// encoding of those rows (targets too when `with_target`). `spread`, when given, gets a
    /// value per row: the standard deviation across every member (each checkpoint weighted
    /// alike, and each member of its ensemble alike) of the output a prediction reports: the
    /// value (regression), P(positive) (binary) or the predicted class's probability.
    std::vector<float> predict(const std::vector<const Table*>& tables,
                               const std::vector<std::uint32_t>& rows,
                               bool with_target,
                               Dataset* encoded = nullptr,
                               std::vector<float>* spread = nullptr);
    /// Members over all checkpoints: each checkpoint's model counts its ensemble's members.
    std::int64_t members() const;

  private:
    std::vector<std::unique_ptr<Predictor>> models_;
};

}  // namespace dlctl
