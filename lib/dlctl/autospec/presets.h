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

/// The sections preset `name` gives a spec that has only its data: the model (its output fitted
/// to `task`), train (loss, optimizer, schedule, epochs and early stopping sized for `rows`
/// labelled rows) and the data settings the recipe needs, as spec YAML for
/// load_spec_from_string's defaults (a spec's own keys win). Throws UsageError for an unknown
/// preset, with a "did you mean".
/// `widest_category`: the most values of a categorical feature column; a recipe embeds columns
/// wider than its one-hot limit (a first category_embedding layer).
std::string preset_yaml(const std::string& name,
                        const TaskGuess& task,
                        const DataSpec& data,
                        std::size_t rows,
                        std::size_t widest_category = 0);

}  // namespace dlctl
