#pragma once

#include <string>
#include <string_view>

namespace YAML {
class Node;
}

namespace dlctl {

/// One change to a spec from the command line: `--set key.path=value`, or a dedicated flag such
/// as `--seed 7` (path "seed", value "7").
struct Override {
    std::string path;    ///< dotted key path; integer segments index sequences
    std::string value;   ///< YAML text of the new value
    std::string origin;  ///< how the user wrote it, e.g. "--set train.epochs=5", for messages
};

/// Splits `key.path=value` from `--set`; throws UsageError when there is no '=' or the path is
/// malformed.
Override parse_override(std::string_view text);

/// Sets `root[path] = YAML::Load(value)`, creating missing mappings along the way. Throws
/// UsageError naming the override when the path crosses a scalar or an out-of-range index.
void apply_override(YAML::Node& root, const Override& override);

}  // namespace dlctl
