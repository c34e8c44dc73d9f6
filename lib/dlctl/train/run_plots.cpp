#include "dlctl/train/run_plots.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dlctl/io/atomic_file.h"
#include "dlctl/plot/confusion_plot.h"
#include "dlctl/plot/run_plots.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

constexpr std::chrono::seconds kRedrawInterval{10};

void write_plot(const fs::path& path, const std::string& svg) {
    try {
        write_file_atomic(path, svg);
    } catch (const std::exception& e) {
        spdlog::warn("could not write {}: {}", path.string(), e.what());
    }
}

}  // namespace

CurvesPlotter::CurvesPlotter(fs::path run_dir,
                             std::string experiment,
                             std::vector<std::string> columns,
                             std::vector<std::vector<std::string>> rows)
    : run_dir_(std::move(run_dir)),
      experiment_(std::move(experiment)),
      columns_(std::move(columns)),
      rows_(std::move(rows)),
      last_write_(std::chrono::steady_clock::now()) {}

void CurvesPlotter::add_epoch(std::vector<std::string> row) {
    rows_.push_back(std::move(row));
    if (std::chrono::steady_clock::now() - last_write_ >= kRedrawInterval) write("training");
}

void CurvesPlotter::finish(const std::string& status) {
    if (!rows_.empty()) write(status);
}

void CurvesPlotter::write(const std::string& status) {
    last_write_ = std::chrono::steady_clock::now();
    const std::string subtitle = fmt::format("{} - {} epoch{} - {}", run_dir_.filename().string(),
                                             rows_.size(), rows_.size() == 1 ? "" : "s", status);
    write_plot(run_dir_ / "curves.svg", plot::training_curves_svg(experiment_ + ": training curves",
                                                                  subtitle, columns_, rows_));
}

void write_confusion_plot(const fs::path& run_dir,
                          const std::string& experiment,
                          const std::string& split,
                          const std::vector<std::string>& labels,
                          const ConfusionMatrix& confusion) {
    write_plot(run_dir / "confusion.svg",
               plot::confusion_svg(fmt::format("{}: confusion matrix, {} split", experiment, split),
                                   labels, confusion));
}

}  // namespace dlctl
