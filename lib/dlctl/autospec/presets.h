#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dlctl/autospec/task_inference.h"
#include "dlctl/config/spec.h"

namespace dlctl {

/// The presets `--preset` takes, the default first.
const std::vector<std::string>& preset_names();

/// One line per preset: its name and what it trains, for --help and messages.
std::string describe_presets();

/// What a recipe looks at in the data besides the task.
struct DataShape {
    std::size_t rows = 0;             ///< labelled rows
    std::size_t widest_category = 0;  ///< the most values of a categorical feature column
    std::size_t numeric_columns = 0;  ///< numeric feature columns
};

/// Numeric columns up to which mlp-plr embeds them (each becomes 24 inputs of the first dense
/// layer); wider data gets plain mlp layers.
inline constexpr std::size_t kMostPeriodicColumns = 100;

/// The sections preset `name` gives a spec that has only its data: the model (its output fitted
/// to `task`), train (loss, optimizer, schedule, epochs and early stopping sized for the rows)
/// and the data settings the recipe needs, as spec YAML for load_spec_from_string's defaults (a
/// spec's own keys win). Categorical columns wider than the recipe's one-hot limit get a learned
/// embedding (a first category_embedding layer). Throws UsageError for an unknown preset, with a
/// "did you mean".
std::string preset_yaml(const std::string& name,
                        const TaskGuess& task,
                        const DataSpec& data,
                        const DataShape& shape);

}  // namespace dlctl
