#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dlctl {

/// One run directory as the leaderboard shows it.
struct RunRow {
    std::filesystem::path dir;
    /// completed, interrupted or failed (summary.json's status); without a summary.json,
    /// running (a dlctl train holds the directory) or incomplete (killed or crashed);
    /// unreadable when summary.json cannot be read
    std::string status;
    std::optional<double> value;  ///< the ranking metric; none when the run did not log it
    int epochs = 0;
    double seconds = 0.0;
    std::vector<std::string> settings;  ///< values of Leaderboard::columns, as written in YAML
};

/// Runs ranked by a metric, with the spec settings that differ between them as columns.
struct Leaderboard {
    std::string metric;                ///< e.g. val_loss, test_accuracy, f1 (training)
    std::string mode;                  ///< min or max
    std::vector<std::string> columns;  ///< spec keys (data.split.test, train.optimizer.lr, ...)
    std::vector<RunRow> rows;          ///< best first; runs without the metric last
};

/// Reads every run directory (one holding config.yaml) under `roots`, recursively. `metric`:
/// val_<m> reads summary.json's validation section, test_<m> its test section, <m> its train
/// section; empty: val_loss when any run has validation, else loss. `mode` min, max or auto
/// (from the metric). Throws UsageError when no run directory is found.
Leaderboard make_leaderboard(const std::vector<std::filesystem::path>& roots,
                             std::string metric,
                             std::string mode);

/// The leaderboard as an aligned text table, CSV, JSON or a Markdown table.
std::string format_leaderboard(const Leaderboard& board, const std::string& format);

}  // namespace dlctl
