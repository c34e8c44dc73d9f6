#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dlctl/inference/predictor.h"

namespace dlctl {

/// One or more checkpoints whose predictions are averaged (an ensemble of one is one model).
class Ensemble {
  public:
    /// Loads every checkpoint; throws UsageError when they do not predict the same thing from
    /// the same features (feature names, task, target and labels must agree; each model keeps
    /// its own fitted preprocessing).
    Ensemble(const std::vector<std::string>& paths, const std::string& device, int threads);

    const Predictor& first() const { return *models_.front(); }
    Predictor& first() { return *models_.front(); }
    std::size_t size() const { return models_.size(); }
    const std::vector<std::unique_ptr<Predictor>>& models() const { return models_; }

    /// The mean of the members' outputs on rows of `table` (Predictor::predict layout), and in
    /// `encoded` the first member's encoding of those rows (targets too when `with_target`).
    std::vector<float> predict(const Table& table,
                               const std::vector<std::uint32_t>& rows,
                               bool with_target,
                               Dataset* encoded = nullptr);

  private:
    std::vector<std::unique_ptr<Predictor>> models_;
};

}  // namespace dlctl
