#pragma once

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/config/vocabulary.h"
#include "dlctl/core/strings.h"

/// Internal to the config module: reading YAML into the spec structs.
namespace dlctl::spec_detail {

using vocabulary::Choices;

/// Reads YAML nodes into the spec structs, collecting every problem with its location instead of
/// stopping at the first.
class SpecReader {
  public:
    SpecReader(std::string source,
               std::map<std::string, std::string> overridden,
               std::vector<std::string> problems)
        : source_(std::move(source)),
          overridden_(std::move(overridden)),
          problems_(std::move(problems)) {}

    const std::vector<std::string>& problems() const { return problems_; }

    void problem(const std::string& path, const YAML::Node& node, const std::string& message) {
        problems_.push_back(fmt::format("{}: {}: {}", where(path, node), path, message));
    }

    /// Reports keys of `map` that are not in `allowed`, with a did-you-mean suggestion.
    void check_keys(const YAML::Node& map,
                    const std::string& path,
                    const std::vector<std::string>& allowed) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            const std::string key = it->first.Scalar();
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
            problem(join(path, key), it->first,
                    "unknown key '" + key + "'" + did_you_mean(key, allowed) +
                        "; valid keys: " + quoted_list(allowed));
        }
    }

    /// True when `node` is a mapping; reports a problem (and returns false) otherwise.
    bool expect_map(const YAML::Node& node, const std::string& path) {
        if (node.IsMap()) return true;
        problem(path, node, "expected a mapping of keys to values, got " + describe(node));
        return false;
    }

    /// Reads `map[key]` into `out` when present; true when a value was read.
    template <typename T>
    bool read(const YAML::Node& map, const std::string& key, const std::string& path, T& out) {
        const YAML::Node node = child(map, key);
        if (!node.IsDefined()) return false;
        const std::string full = join(path, key);
        if (!node.IsScalar()) {
            problem(full, node, fmt::format("expected {}, got {}", type_name<T>(), describe(node)));
            return false;
        }
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            // Always decimal: yaml-cpp would read 010 as octal and 0x10 as hex.
            const std::string& text = node.Scalar();
            const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
            const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), out);
            if (ec == std::errc{} && end == text.data() + text.size() && !text.empty()) return true;
            problem(full, node, fmt::format("expected {}, got '{}'", type_name<T>(), text));
            return false;
        } else {
            try {
                out = node.as<T>();
                return true;
            } catch (const YAML::Exception&) {
                problem(full, node,
                        fmt::format("expected {}, got '{}'", type_name<T>(), node.Scalar()));
                return false;
            }
        }
    }

    /// Reads `map[key]` and checks it with `valid`; a failing value is reported as
    /// "must be <requirement>, got <value>". True when a valid value was read.
    template <typename T, typename Valid>
    bool read_checked(const YAML::Node& map,
                      const std::string& key,
                      const std::string& path,
                      T& out,
                      Valid valid,
                      const std::string& requirement) {
        if (!read(map, key, path, out)) return false;
        if (valid(out)) return true;
        problem(join(path, key), map[key], fmt::format("must be {}, got {}", requirement, out));
        return false;
    }

    void read_list(const YAML::Node& map,
                   const std::string& key,
                   const std::string& path,
                   std::vector<std::string>& out) {
        const YAML::Node node = child(map, key);
        if (!node.IsDefined() || node.IsNull()) return;
        const std::string full = join(path, key);
        if (!node.IsSequence()) {
            problem(full, node, "expected a list of strings, got " + describe(node));
            return;
        }
        out.clear();
        for (std::size_t i = 0; i < node.size(); ++i) {
            if (!node[i].IsScalar()) {
                problem(join(full, std::to_string(i)), node[i],
                        "expected a string, got " + describe(node[i]));
                continue;
            }
            out.push_back(node[i].Scalar());
        }
    }

    /// Checks `value` against a vocabulary, distinguishing typos from not-yet-built features.
    void check_choice(const std::string& value,
                      const Choices& choices,
                      const std::string& what,
                      const std::string& path,
                      const YAML::Node& node) {
        const auto& s = choices.supported;
        if (std::find(s.begin(), s.end(), value) != s.end()) return;
        const auto& p = choices.planned;
        if (std::find(p.begin(), p.end(), value) != p.end()) {
            problem(path, node,
                    fmt::format("{} '{}' is not yet supported; supported: {}", what, value,
                                quoted_list(s)));
            return;
        }
        problem(path, node,
                fmt::format("unknown {} '{}'{}; supported: {}", what, value, did_you_mean(value, s),
                            quoted_list(s)));
    }

    /// `node[key]` when `node` is a mapping, else an undefined node (yaml-cpp throws when a
    /// missing node is indexed).
    static YAML::Node child(const YAML::Node& node, const std::string& key) {
        return node.IsDefined() && node.IsMap() ? node[key] : YAML::Node(YAML::NodeType::Undefined);
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

  private:
    std::string where(const std::string& path, const YAML::Node& node) const {
        // A value set on the command line is located by the override that set it: one that set
        // this key or a mapping above it, or one that created this key on its way deeper.
        for (std::string prefix = path;;) {
            if (auto it = overridden_.find(prefix); it != overridden_.end()) return it->second;
            const std::size_t dot = prefix.rfind('.');
            if (dot == std::string::npos) break;
            prefix.resize(dot);
        }
        const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
        if (!mark.is_null())
            return fmt::format("{}:{}:{}", source_, mark.line + 1, mark.column + 1);
        // A key without a place in the file was created by an override that set a key below it.
        for (const auto& [key, origin] : overridden_) {
            if (key.starts_with(path + ".")) return origin;
        }
        return source_;
    }

    static std::string describe(const YAML::Node& node) {
        switch (node.Type()) {
            case YAML::NodeType::Map:
                return "a mapping";
            case YAML::NodeType::Sequence:
                return "a list";
            case YAML::NodeType::Null:
                return "nothing (null)";
            case YAML::NodeType::Scalar:
                return "'" + node.Scalar() + "'";
            default:
                return "an undefined value";
        }
    }

    template <typename T>
    static const char* type_name() {
        if constexpr (std::is_same_v<T, bool>) return "true or false";
        if constexpr (std::is_integral_v<T>) return "an integer";
        if constexpr (std::is_floating_point_v<T>) return "a number";
        return "a string";
    }

    std::string source_;
    std::map<std::string, std::string> overridden_;
    std::vector<std::string> problems_;
};

/// Absolute form of `path`; UsageError when it cannot be resolved.
std::filesystem::path absolute_path(const std::filesystem::path& path);
/// `path` made absolute against `base_dir` when relative, normalised.
std::string resolve_path(const std::string& path, const std::filesystem::path& base_dir);

/// Each reads one top-level section of `root` into the spec, reporting problems to `r`.
void read_data(SpecReader& r, const YAML::Node& root, DataSpec& data);
void read_model(SpecReader& r, const YAML::Node& root, ModelSpec& model);

/// The alpha an activation uses when the spec gives none (leaky_relu 0.01 as PyTorch, elu 1);
/// 0 for activations without one.
double default_alpha(const std::string& activation);
bool takes_alpha(const std::string& activation);
/// `task`: data.task, which gives train.loss its default.
void read_train(SpecReader& r, const YAML::Node& root, const std::string& task, TrainSpec& train);

}  // namespace dlctl::spec_detail
