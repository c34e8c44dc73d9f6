#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "dlctl/metrics/metrics.h"

namespace dlctl {

/// Keeps a run's curves.svg (every metrics.csv column per epoch) up to date: redrawn at most
/// every few seconds while training, so a browser shows progress, and once more at the end.
/// Plots never fail a run: a file that cannot be written is a logged warning.
class CurvesPlotter {
  public:
    /// `rows`: the metrics.csv rows so far (a resumed run's earlier epochs).
    CurvesPlotter(std::filesystem::path run_dir,
                  std::string experiment,
                  std::vector<std::string> columns,
                  std::vector<std::vector<std::string>> rows);

    void add_epoch(std::vector<std::string> row);
    /// Draws the final curves, unless no epoch finished; `status` ends the subtitle (completed,
    /// stopped early, failed, ...).
    void finish(const std::string& status);

  private:
    void write(const std::string& status);

    std::filesystem::path run_dir_;
    std::string experiment_;
    std::vector<std::string> columns_;
    std::vector<std::vector<std::string>> rows_;
    std::chrono::steady_clock::time_point last_write_;
};

/// confusion.svg in `run_dir`: the confusion matrix of `split` (test, validation or train).
void write_confusion_plot(const std::filesystem::path& run_dir,
                          const std::string& experiment,
                          const std::string& split,
                          const std::vector<std::string>& labels,
                          const ConfusionMatrix& confusion);

}  // namespace dlctl
