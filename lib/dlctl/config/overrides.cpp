#include "dlctl/config/overrides.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <vector>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = path.find('.', start);
        segments.emplace_back(path.substr(start, dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return segments;
}

bool parse_index(const std::string& segment, std::size_t& index) {
    const auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
    return ec == std::errc{} && end == segment.data() + segment.size();
}

}  // namespace

Override parse_override(std::string_view text) {
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        throw UsageError(
            "--set " + std::string(text) + ": expected key.path=value",
            "for example --set train.optimizer.lr=0.001 or --set model.layers.0.units=64");
    }
    Override result{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)),
                    "--set " + std::string(text)};
    for (const auto& segment : split_path(result.path)) {
        if (segment.empty()) {
            throw UsageError(result.origin + ": empty segment in key path '" + result.path + "'");
        }
    }
    return result;
}

void apply_override(YAML::Node& root, const Override& override) {
    YAML::Node value;
    try {
        value = YAML::Load(override.value);
    } catch (const YAML::Exception& e) {
        throw UsageError(override.origin + ": value is not valid YAML: " + e.msg);
    }
    if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);

    const std::vector<std::string> segments = split_path(override.path);
    YAML::Node current = root;
    std::string walked;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& segment = segments[i];
        const bool last = i + 1 == segments.size();
        YAML::Node next;
        if (current.IsSequence()) {
            std::size_t index = 0;
            if (!parse_index(segment, index) || index >= current.size()) {
                throw UsageError(override.origin + ": '" + walked + "' is a list of " +
                                 std::to_string(current.size()) + " items; '" + segment +
                                 "' is not an index in it");
            }
            if (last) {
                current[index] = value;
                return;
            }
            next.reset(current[index]);
        } else if (current.IsMap() || current.IsNull()) {
            if (last) {
                current[segment] = value;
                return;
            }
            if (!current[segment].IsDefined() || current[segment].IsNull()) {
                current[segment] = YAML::Node(YAML::NodeType::Map);
            }
            next.reset(current[segment]);
        } else {
            throw UsageError(override.origin + ": '" + walked +
                             "' is a single value, not a mapping or list");
        }
        walked += (walked.empty() ? "" : ".") + segment;
        current.reset(next);
    }
}

}  // namespace dlctl
