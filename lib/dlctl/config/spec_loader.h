#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "dlctl/config/overrides.h"
#include "dlctl/config/spec.h"

namespace dlctl {

/// Loads a YAML experiment spec, applies the `--set key.path=value` texts in `sets` and then the
/// already-parsed `flags` (from options such as --seed; values are YAML), fills every default and
/// validates the whole spec. Relative paths resolve against the spec's directory. Throws
/// SpecError listing every problem (bad overrides included) with file:line:col or the override
/// that caused it and the key path, or UsageError when the file cannot be read.
ExperimentSpec load_spec(const std::filesystem::path& file,
                         const std::vector<std::string>& sets = {},
                         const std::vector<Override>& flags = {});

/// As load_spec, from text; `source_name` names it in messages and `base_dir` anchors paths.
ExperimentSpec load_spec_from_string(std::string_view yaml,
                                     std::string_view source_name,
                                     const std::filesystem::path& base_dir,
                                     const std::vector<std::string>& sets = {},
                                     const std::vector<Override>& flags = {});

/// The resolved spec as YAML, every default spelled out; load_spec reads it back unchanged.
std::string to_yaml(const ExperimentSpec& spec);

}  // namespace dlctl
