#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dlctl/config/overrides.h"
#include "dlctl/config/spec.h"

namespace dlctl {

/// A spec to load, which may leave its model and training to a preset.
struct SpecRequest {
    std::string yaml;                ///< the spec's text (a file's, or made by data_only_spec)
    std::string source;              ///< names it in messages
    std::filesystem::path base_dir;  ///< relative paths start here
    std::vector<std::string> sets;   ///< --set texts
    std::vector<Override> flags;     ///< --seed, --device, ...
    std::string preset;              ///< empty: the default preset (only without a model)
};

/// The resolved spec. A spec with a `model` section loads as it is (load_spec_from_string); a
/// spec with only `data` (and maybe train or output settings) has its data read, its task
/// inferred from the target (logged with the reason, or data.task as given) and the preset's
/// model and training filled in under its own keys, so --set and the spec's keys still win.
/// Throws SpecError, DataError (an ambiguous target, a missing column) or UsageError (an unknown
/// preset, or --preset with a spec that has its own model).
ExperimentSpec load_spec_request(const SpecRequest& request);

/// The text of a spec with only data: CSV `csv`, column `target`, and `test_file` when given.
std::string data_only_spec(const std::string& csv,
                           const std::string& target,
                           const std::string& test_file);

/// The resolved spec as a commented starter file (`dlctl init`): what was inferred and why,
/// then every setting.
std::string starter_spec(const ExperimentSpec& spec, const std::string& preset);

}  // namespace dlctl
