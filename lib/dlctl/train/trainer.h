#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/data/dataset.h"
#include "dlctl/loss/loss.h"
#include "dlctl/metrics/metrics.h"
#include "dlctl/nn/sequential.h"
#include "dlctl/optim/optimizer.h"

namespace dlctl {

struct TrainerOptions {
    int epochs = 1;
    int batch_size = 32;
    std::uint64_t seed = 0;
    std::vector<std::string> metrics;
    bool binary = true;  ///< predictions are class-1 probabilities (else regression values)
};

/// Loss and metrics of the model on a whole split.
struct Evaluation {
    double loss = 0.0;
    MetricValues metrics;
};

struct EpochResult {
    int epoch = 0;  ///< 1-based
    double learning_rate = 0.0;
    Evaluation train;  ///< running values over the epoch's training steps (dropout active)
    std::optional<Evaluation> validation;
    double seconds = 0.0;
};

/// A dataset resident in a backend's memory, uploaded once.
struct DeviceDataset {
    const Dataset* host = nullptr;
    Buffer features;  ///< n_features × n_rows
    Buffer targets;   ///< 1 × n_rows
};

/// Runs mini-batch training of a built model: seeded shuffling every epoch, the last partial batch
/// included, loss and metrics over whole epochs, validation after each epoch.
class Trainer {
  public:
    Trainer(Backend& backend,
            Sequential& model,
            Loss& loss,
            Optimizer& optimizer,
            TrainerOptions options);

    DeviceDataset upload(const Dataset& dataset);

    /// Trains for options.epochs epochs, calling `on_epoch` after each. Throws DivergedError naming
    /// the epoch and step of the first non-finite loss.
    void fit(const DeviceDataset& train,
             const DeviceDataset* validation,
             const std::function<void(const EpochResult&)>& on_epoch);

    /// Loss and metrics over every row of `data`, in evaluation mode (no dropout).
    Evaluation evaluate(const DeviceDataset& data);

  private:
    Backend& backend_;
    Sequential& model_;
    Loss& loss_;
    Optimizer& optimizer_;
    TrainerOptions options_;
    std::uint64_t global_step_ = 0;
    Buffer batch_features_, batch_targets_, predictions_, losses_;
    std::vector<float> host_predictions_, host_targets_, host_losses_;
};

}  // namespace dlctl
