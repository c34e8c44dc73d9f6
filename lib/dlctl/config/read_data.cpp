#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "dlctl/config/spec_reader.h"
#include "dlctl/core/device.h"
#include "dlctl/core/error.h"
#include "dlctl/core/process_memory.h"

namespace dlctl::spec_detail {

void read_split(SpecReader& r, const YAML::Node& node, SplitSpec& split) {
    const std::string path = "data.split";
    if (!node.IsDefined() || !r.expect_map(node, path)) return;
    r.check_keys(node, path, {"test", "validation", "shuffle", "stratify"});
    if (r.read(node, "stratify", path, split.stratify) && split.stratify != "auto") {
        // YAML booleans in any spelling become true / false.
        try {
            split.stratify = node["stratify"].as<bool>() ? "true" : "false";
        } catch (const YAML::Exception&) {
            r.problem(path + ".stratify", node["stratify"],
                      "expected true, false or auto, got '" + split.stratify + "'");
        }
    }
    r.read(node, "shuffle", path, split.shuffle);
    bool fractions_valid = true;
    for (const char* key : {"test", "validation"}) {
        double& value = std::string_view(key) == "test" ? split.test : split.validation;
        if (r.read(node, key, path, value) && !(value >= 0.0 && value < 1.0)) {
            r.problem(path + "." + key, node[key],
                      fmt::format("must be a fraction in [0, 1), got {}", value));
            fractions_valid = false;
        }
    }
    if (fractions_valid && split.test + split.validation >= 1.0) {
        r.problem(path, node,
                  fmt::format("test + validation = {} leaves no training rows; it must be below 1",
                              split.test + split.validation));
    }
}

/// data.columns, data.na_values, data.missing, max_categories, unseen_categories, positive_label.
void read_columns(SpecReader& r, const YAML::Node& node, DataSpec& data) {
    const YAML::Node columns = SpecReader::child(node, "columns");
    if (columns.IsDefined() && !columns.IsNull() && r.expect_map(columns, "data.columns")) {
        for (const auto& kv : columns) {
            const std::string name = kv.first.Scalar();
            std::string type;
            if (!r.read(columns, name, "data.columns", type)) continue;
            if (type != "numeric" && type != "boolean" && type != "categorical" &&
                type != "ignore") {
                r.problem("data.columns." + name, kv.second,
                          "must be numeric, boolean, categorical or ignore, got '" + type + "'");
            }
            data.columns.emplace_back(name, type);
        }
    }
    const YAML::Node scaling = SpecReader::child(node, "normalize_columns");
    if (scaling.IsDefined() && !scaling.IsNull() &&
        r.expect_map(scaling, "data.normalize_columns")) {
        for (const auto& kv : scaling) {
            const std::string name = kv.first.Scalar();
            std::string method;
            if (!r.read(scaling, name, "data.normalize_columns", method)) continue;
            r.check_choice(method, vocabulary::normalizations(), "normalization",
                           "data.normalize_columns." + name, kv.second);
            data.normalize_columns.emplace_back(name, method);
        }
    }
    if (SpecReader::child(node, "na_values").IsDefined()) {
        data.na_values.clear();
        r.read_list(node, "na_values", "data", data.na_values);
    }
    const YAML::Node missing = SpecReader::child(node, "missing");
    if (missing.IsDefined() && r.expect_map(missing, "data.missing")) {
        const std::string path = "data.missing";
        r.check_keys(missing, path,
                     {"numeric", "categorical", "fill_value", "fill_category", "indicators"});
        auto one_of = [](std::initializer_list<const char*> choices) {
            return [choices](const std::string& v) {
                return std::any_of(choices.begin(), choices.end(),
                                   [&](const char* c) { return v == c; });
            };
        };
        r.read_checked(missing, "numeric", path, data.missing.numeric,
                       one_of({"mean", "median", "constant", "drop_row", "error"}),
                       "mean, median, constant, drop_row or error");
        r.read_checked(missing, "categorical", path, data.missing.categorical,
                       one_of({"mode", "constant", "missing_category", "drop_row", "error"}),
                       "mode, constant, missing_category, drop_row or error");
        r.read(missing, "fill_value", path, data.missing.fill_value);
        r.read(missing, "fill_category", path, data.missing.fill_category);
        r.read(missing, "indicators", path, data.missing.indicators);
    }
    r.read_checked(
        node, "max_categories", "data", data.max_categories, [](int v) { return v >= 0; },
        "an integer >= 0 (0: no cap)");
    r.read_checked(
        node, "embed_categories", "data", data.embed_categories, [](int v) { return v >= 0; },
        "an integer >= 0 (0: one-hot every categorical column)");
    r.read_checked(
        node, "unseen_categories", "data", data.unseen_categories,
        [](const std::string& v) { return v == "ignore" || v == "error"; }, "ignore or error");
    r.read(node, "positive_label", "data", data.positive_label);
    r.read(node, "cache", "data", data.cache);
    r.read(node, "cache_dir", "data", data.cache_dir);
    r.read_checked(
        node, "in_memory", "data", data.in_memory,
        [](const std::string& v) { return v == "auto" || v == "true" || v == "false"; },
        "auto, true or false");
    r.read_checked(
        node, "memory_budget", "data", data.memory_budget,
        [](const std::string& v) { return v == "auto" || parse_byte_size(v).value_or(0) > 0; },
        "auto or a size such as 512MB, 2GB or 1.5GiB");
    r.read_checked(
        node, "rank_reads", "data", data.rank_reads,
        [](const std::string& v) { return v == "part" || v == "whole"; }, "part or whole");
    r.read_checked(
        node, "task", "data", data.task,
        [](const std::string& v) {
            return v == "auto" || v == "binary" || v == "multiclass" || v == "regression";
        },
        "auto, binary, multiclass or regression");
}

void read_data(SpecReader& r, const YAML::Node& root, DataSpec& data) {
    const YAML::Node node = root["data"];
    if (!node.IsDefined()) {
        r.problem("data", root, "missing required section 'data' (with at least path and target)");
        return;
    }
    if (!r.expect_map(node, "data")) return;
    r.check_keys(node, "data", {"path",           "target",
                                "features",       "drop",
                                "sample_weight",  "delimiter",
                                "header",         "normalize",
                                "bins",           "target_normalize",
                                "split",          "validation_file",
                                "test_file",      "columns",
                                "na_values",      "missing",
                                "max_categories", "unseen_categories",
                                "positive_label", "normalize_columns",
                                "task",           "cache",
                                "cache_dir",      "embed_categories",
                                "in_memory",      "memory_budget",
                                "rank_reads"});
    read_columns(r, node, data);
    r.read(node, "validation_file", "data", data.validation_file);
    r.read(node, "test_file", "data", data.test_file);
    r.read(node, "path", "data", data.path);
    r.read(node, "target", "data", data.target);
    r.read_list(node, "features", "data", data.features);
    r.read_list(node, "drop", "data", data.drop);
    r.read(node, "sample_weight", "data", data.sample_weight);
    r.read(node, "delimiter", "data", data.delimiter);
    r.read(node, "header", "data", data.header);
    if (r.read(node, "target_normalize", "data", data.target_normalize) &&
        data.target_normalize != "standard" && data.target_normalize != "none") {
        r.problem("data.target_normalize", node["target_normalize"],
                  "must be standard or none, got '" + data.target_normalize + "'");
    }
    r.read(node, "normalize", "data", data.normalize);
    r.read_checked(
        node, "bins", "data", data.bins, [](int v) { return v >= 2 && v <= 1000; },
        "an integer in [2, 1000]");
    if (!node["path"].IsDefined()) {
        r.problem("data.path", node, "missing required key (the CSV file)");
    }
    if (!node["target"].IsDefined()) {
        r.problem("data.target", node, "missing required key (the column to predict)");
    }
    if (!data.features.empty() && !data.drop.empty()) {
        r.problem("data", node, "set either 'features' or 'drop', not both");
    }
    auto in = [](const std::vector<std::string>& v, const std::string& x) {
        return std::find(v.begin(), v.end(), x) != v.end();
    };
    if (!data.sample_weight.empty() &&
        (data.sample_weight == data.target || in(data.features, data.sample_weight))) {
        r.problem("data.sample_weight", node["sample_weight"],
                  "the sample-weight column must be neither the target nor a feature");
    }
    if (!data.target.empty() && (in(data.features, data.target) || in(data.drop, data.target))) {
        r.problem("data.target", node["target"],
                  "target '" + data.target + "' must not also be listed in features or drop");
    }
    if (node["delimiter"].IsDefined()) {
        r.check_choice(data.delimiter, vocabulary::delimiters(), "delimiter", "data.delimiter",
                       node["delimiter"]);
    }
    r.check_choice(data.normalize, vocabulary::normalizations(), "normalization", "data.normalize",
                   node["normalize"].IsDefined() ? node["normalize"] : node);
    read_split(r, node["split"], data.split);
    // A split that comes from its own file takes no rows of data.path, unless a fraction says so
    // explicitly (which check_consistency then reports).
    const YAML::Node split = SpecReader::child(node, "split");
    if (!data.validation_file.empty() && !SpecReader::child(split, "validation").IsDefined()) {
        data.split.validation = 0.0;
    }
    if (!data.test_file.empty() && !SpecReader::child(split, "test").IsDefined()) {
        data.split.test = 0.0;
    }
}

}  // namespace dlctl::spec_detail
