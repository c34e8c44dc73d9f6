#include "dlctl/config/spec_diff.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "dlctl/config/spec_loader.h"

namespace dlctl {

namespace {

std::string text_of(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return "(unset)";
    if (node.IsScalar()) return node.Scalar();
    YAML::Emitter out;
    out << YAML::Flow << node;
    return out.c_str();
}

void compare(const YAML::Node& a,
             const YAML::Node& b,
             const std::string& path,
             std::vector<std::string>& out) {
    if (a.IsMap() && b.IsMap()) {
        std::set<std::string> keys;
        for (const auto& kv : a) keys.insert(kv.first.Scalar());
        for (const auto& kv : b) keys.insert(kv.first.Scalar());
        for (const auto& key : keys) compare(a[key], b[key], path + "." + key, out);
        return;
    }
    if (a.IsSequence() && b.IsSequence() && a.size() == b.size()) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            compare(a[i], b[i], path + "." + std::to_string(i), out);
        }
        return;
    }
    const std::string before = text_of(a), after = text_of(b);
    if (before != after) {
        out.push_back(path.substr(1) + ": " + before + " in the checkpoint, " + after + " now");
    }
}

}  // namespace

std::vector<std::string> resume_differences(const ExperimentSpec& saved,
                                            const ExperimentSpec& current) {
    const YAML::Node a = YAML::Load(to_yaml(saved));
    const YAML::Node b = YAML::Load(to_yaml(current));
    // Where and how the data is held in memory does not change the rows or their encoding.
    for (const YAML::Node& spec : {a, b}) {
        for (const char* key : {"in_memory", "memory_budget", "rank_reads", "cache", "cache_dir"}) {
            YAML::Node data = spec["data"];
            data.remove(key);
        }
    }
    std::vector<std::string> out;
    for (const char* section : {"seed", "data", "model"}) {
        compare(a[section], b[section], std::string(".") + section, out);
    }
    compare(a["train"]["cv"], b["train"]["cv"], ".train.cv", out);  // the fold decides the rows
    return out;
}

}  // namespace dlctl
