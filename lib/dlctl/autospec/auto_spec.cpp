#include "dlctl/autospec/auto_spec.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <sstream>

#include "dlctl/autospec/presets.h"
#include "dlctl/autospec/task_inference.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"
#include "dlctl/data/dataset.h"

namespace dlctl {

namespace {

/// Rows with a target value: what the preset sizes its batches and epochs by.
std::size_t labelled_rows(const Table& table, int target) {
    std::size_t n = 0;
    for (const float v : table.columns[static_cast<std::size_t>(target)]) n += !std::isnan(v);
    return n;
}

/// What the presets look at: rows, the widest categorical column and the numeric columns, the
/// target aside.
DataShape shape_of(const Table& table, int target) {
    DataShape shape{labelled_rows(table, target)};
    for (std::size_t c = 0; c < table.names.size(); ++c) {
        if (static_cast<int>(c) == target) continue;
        const ColumnType type = table.type(static_cast<int>(c));
        if (type == ColumnType::kCategorical) {
            shape.widest_category = std::max(shape.widest_category, table.categories[c].size());
        } else if (type == ColumnType::kNumeric) {
            ++shape.numeric_columns;
        }
    }
    return shape;
}

}  // namespace

ExperimentSpec load_spec_request(const SpecRequest& request) {
    if (spec_has_model(request.yaml)) {
        if (!request.preset.empty()) {
            throw UsageError("--preset fills in the model of a spec that has none, but " +
                                 request.source + " has a model section",
                             "drop --preset, or the spec's model section");
        }
        return load_spec_from_string(request.yaml, request.source, request.base_dir, request.sets,
                                     request.flags);
    }
    const DataSpec data =
        load_data_spec(request.yaml, request.source, request.base_dir, request.sets, request.flags);
    const Table table = read_data_table(data, 1);  // the target as text
    const int target = find_target_column(table, data.target);
    const TaskGuess task = infer_task(table, target, data.task);
    const std::string preset = request.preset.empty() ? preset_names().front() : request.preset;
    const std::string defaults = preset_yaml(preset, task, data, shape_of(table, target));
    spdlog::info("task: {} ({}); model and training from preset '{}'", task.task, task.reason,
                 preset);
    return load_spec_from_string(request.yaml, request.source, request.base_dir, request.sets,
                                 request.flags, defaults);
}

std::string data_only_spec(const std::string& csv,
                           const std::string& target,
                           const std::string& test_file) {
    std::string out = fmt::format("name: {}\ndata:\n  path: {}\n  target: {}\n",
                                  yaml_quoted(std::filesystem::path(csv).stem().string()),
                                  yaml_quoted(csv), yaml_quoted(target));
    if (!test_file.empty()) out += fmt::format("  test_file: {}\n", yaml_quoted(test_file));
    return out;
}

std::string starter_spec(const ExperimentSpec& spec, const std::string& preset) {
    std::ostringstream out;
    out << "# A dlctl experiment spec, written by dlctl init (preset '"
        << (preset.empty() ? preset_names().front() : preset) << "').\n"
        << "# Train it with: dlctl train THIS_FILE.yaml   (docs: README.md, Experiment spec "
           "reference)\n"
        << "# Every default is spelled out; delete what you do not want to pin down.\n";
    std::istringstream lines(to_yaml(spec));
    std::string line;
    const std::pair<const char*, const char*> comments[] = {
        {"data:", "# The CSV, the column to predict, the splits and how columns become inputs."},
        {"model:", "# The network, first layer to last; the last one fits the task."},
        {"train:", "# Loss, optimizer, schedule, early stopping and metrics."},
        {"output:", "# Where runs go and which checkpoints they keep."},
    };
    while (std::getline(lines, line)) {
        for (const auto& [key, comment] : comments) {
            if (line == key) out << comment << "\n";
        }
        out << line << "\n";
    }
    return out.str();
}

}  // namespace dlctl
