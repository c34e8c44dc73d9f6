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

/// The text of a spec file (4 MB at most; a pipe is read up to that). Throws UsageError.
std::string read_spec_text(const std::filesystem::path& file);

/// As load_spec, from text; `source_name` names it in messages and `base_dir` anchors paths.
/// `defaults_yaml`, when given, is a spec the text is laid over: its keys count where the text
/// has none (mappings layer key by key; the overrides apply last).
ExperimentSpec load_spec_from_string(std::string_view yaml,
                                     std::string_view source_name,
                                     const std::filesystem::path& base_dir,
                                     const std::vector<std::string>& sets = {},
                                     const std::vector<Override>& flags = {},
                                     std::string_view defaults_yaml = {});

/// The `data` section of a spec alone, with the overrides of data keys applied and its paths
/// resolved: what a spec without `model` needs to look at its data first (autospec). Throws
/// SpecError for a problem in that section.
DataSpec load_data_spec(std::string_view yaml,
                        std::string_view source_name,
                        const std::filesystem::path& base_dir,
                        const std::vector<std::string>& sets = {},
                        const std::vector<Override>& flags = {});

/// Whether the spec text has a `model` section (or is not a mapping at all, which load_spec
/// reports); without one, the model and training come from a preset fitted to the data.
bool spec_has_model(std::string_view yaml);

/// The resolved spec as YAML, every default spelled out; load_spec reads it back unchanged.
std::string to_yaml(const ExperimentSpec& spec);

}  // namespace dlctl
