#include "dlctl/train/run_tensorboard.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <optional>
#include <system_error>

#include "dlctl/core/error.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

/// A metrics.csv cell as a number ("nan" and "inf" included); nullopt for an empty cell (or
/// one that is not a number, which dlctl never writes).
std::optional<double> cell_value(const std::string& cell) {
    double value = 0.0;
    const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    if (cell.empty() || ec != std::errc{} || end != cell.data() + cell.size()) return std::nullopt;
    return value;
}

/// Removes the event files in `dir` other than `keep`; one that stays is a warning.
void remove_other_event_files(const fs::path& dir, const fs::path& keep) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.path() == keep || name.find("tfevents") == std::string::npos) continue;
        std::error_code removed;
        fs::remove(entry.path(), removed);
        if (removed) {
            spdlog::warn("could not remove the earlier event file {}: {}", entry.path().string(),
                         removed.message());
        }
    }
}

}  // namespace

std::vector<HParam> tensorboard_hparams(const ExperimentSpec& spec) {
    const TrainSpec& t = spec.train;
    std::vector<HParam> out = {
        {"name", spec.name},
        {"seed", static_cast<double>(spec.seed)},
        {"data.normalize", spec.data.normalize},
        {"model.layers", static_cast<double>(spec.model.layers.size())},
    };
    for (std::size_t i = 0; i < spec.model.layers.size(); ++i) {
        const LayerSpec& layer = spec.model.layers[i];
        const std::string key = "model.layers." + std::to_string(i) + ".";
        if (layer.type == "dropout") {
            out.push_back({key + "rate", layer.rate});
        } else if (layer.type == "ensemble") {
            out.push_back({key + "members", static_cast<double>(layer.members)});
        } else if (layer.units > 0) {
            out.push_back({key + "units", static_cast<double>(layer.units)});
        }
    }
    out.insert(out.end(), {{"train.epochs", static_cast<double>(t.epochs)},
                           {"train.batch_size", static_cast<double>(t.batch_size)},
                           {"train.loss", t.loss},
                           {"train.optimizer.type", t.optimizer.type},
                           {"train.optimizer.lr", t.optimizer.lr},
                           {"train.optimizer.weight_decay", t.optimizer.weight_decay},
                           {"train.schedule.type", t.schedule.type}});
    if (t.cv.folds > 0) out.push_back({"train.cv.fold", static_cast<double>(t.cv.fold)});
    return out;
}

RunTensorboard::RunTensorboard(const fs::path& run_dir,
                               const ExperimentSpec& spec,
                               std::vector<std::string> columns,
                               const std::vector<std::vector<std::string>>& earlier_rows,
                               bool replace)
    : writer_(run_dir / "tensorboard"), columns_(std::move(columns)) {
    DLCTL_CHECK(!columns_.empty() && columns_.front() == "epoch");
    writer_.add_summary(
        0, {hparams_session_start_value(tensorboard_hparams(spec), unix_seconds_now())});
    for (const auto& row : earlier_rows) add_row(row);
    writer_.flush();
    if (replace) remove_other_event_files(run_dir / "tensorboard", writer_.path());
}

void RunTensorboard::add_row(const std::vector<std::string>& row) {
    DLCTL_CHECK(row.size() == columns_.size());
    const std::optional<double> epoch = cell_value(row.front());
    if (!epoch) return;
    last_step_ = static_cast<std::int64_t>(*epoch);
    std::vector<std::pair<std::string, float>> scalars;
    for (std::size_t i = 1; i < row.size(); ++i) {
        if (const std::optional<double> value = cell_value(row[i])) {
            scalars.emplace_back(columns_[i], static_cast<float>(*value));
        }
    }
    writer_.add_scalars(last_step_, scalars);
}

void RunTensorboard::add_epoch(const std::vector<std::string>& row) {
    add_row(row);
    writer_.flush();
}

void RunTensorboard::finish(SessionStatus status) {
    writer_.add_summary(last_step_, {hparams_session_end_value(status, unix_seconds_now())});
    writer_.flush();
}

}  // namespace dlctl
