#include "dlctl/data/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace dlctl {

namespace {

std::vector<std::int64_t> class_counts(const Dataset& split, int classes) {
    std::vector<std::int64_t> counts(classes == 1 ? 2 : classes, 0);
    for (const float y : split.targets) ++counts[static_cast<std::size_t>(y)];
    return counts;
}

/// Rows of `split` whose value of feature column `f` is outside its vocabulary.
std::int64_t outside(const Dataset& split, std::size_t f) {
    return f < split.outside_vocabulary.size() ? split.outside_vocabulary[f] : 0;
}

nlohmann::json left_out(const std::vector<ScreenedColumn>& screened) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : screened) out.push_back({{"name", s.name}, {"reason", s.reason}});
    return out;
}

}  // namespace

std::string data_summary_json(const PreparedData& data, int classes) {
    using nlohmann::json;
    json features = json::array();
    const Preprocessor& p = data.preprocessor;
    for (std::size_t f = 0; f < p.columns().size(); ++f) {
        const FeatureColumn& column = p.columns()[f];
        const std::int64_t missing = data.feature_missing.at(f);
        json feature = {{"name", column.name},
                        {"type", to_string(column.type)},
                        {"missing", missing},
                        {"width", column.width()}};
        if (column.type == ColumnType::kCategorical) {
            feature["categories"] = column.vocabulary;
            if (column.embedded) feature["embedded"] = true;
            feature["outside_vocabulary"] = {{"train", outside(data.train, f)},
                                             {"validation", outside(data.validation, f)},
                                             {"test", outside(data.test, f)}};
        } else {
            feature["offset"] = column.offset;
            feature["scale"] = column.scale;
            if (missing > 0)
                feature["fill"] = column.fill_allowed ? json(column.fill) : json(nullptr);
        }
        features.push_back(feature);
    }
    json types = {{"numeric", 0}, {"boolean", 0}, {"categorical", 0}};
    for (const auto& column : p.columns())
        types[to_string(column.type)] = types[to_string(column.type)].get<int>() + 1;
    json out = {{"source", data.table.source},
                {"rows_read", data.rows_read},
                {"rows_dropped",
                 {{"missing_target", data.dropped_missing_target},
                  {"missing_feature", data.dropped_missing_feature}}},
                {"columns", data.table.names.size()},
                {"feature_types", types},
                {"target", data.target_name},
                {"labels", data.labels},
                {"normalize", p.method()},
                {"target_offset", data.target_offset},
                {"target_scale", data.target_scale},
                {"encoded_features", p.width()},
                {"features", features},
                {"left_out", left_out(data.screened_columns)},
                {"splits",
                 {{"train", data.train.n_rows},
                  {"validation", data.validation.n_rows},
                  {"test", data.test.n_rows}}}};
    if (classes > 0) {
        out["class_counts"] = {{"train", class_counts(data.train, classes)},
                               {"validation", class_counts(data.validation, classes)},
                               {"test", class_counts(data.test, classes)}};
    }
    return out.dump(2) + "\n";
}

std::vector<std::string> data_summary_lines(const PreparedData& data, int classes) {
    std::vector<std::string> lines;
    lines.push_back(fmt::format(
        "data: {} rows x {} columns from {}; {} feature columns -> {} model inputs "
        "(normalize: {}), target '{}'",
        data.rows_read, data.table.names.size(), data.table.source, data.feature_names.size(),
        data.preprocessor.width(), data.preprocessor.method(), data.target_name));
    std::vector<std::string> typed, filled, outside_rows;
    for (std::size_t f = 0; f < data.preprocessor.columns().size(); ++f) {
        const FeatureColumn& column = data.preprocessor.columns()[f];
        const std::int64_t missing = data.feature_missing.at(f);
        if (column.type == ColumnType::kCategorical) {
            typed.push_back(fmt::format("{} (categorical, {} values{})", column.name,
                                        column.vocabulary.size(),
                                        column.embedded ? ", embedded" : ""));
            const std::int64_t counts[] = {outside(data.train, f), outside(data.validation, f),
                                           outside(data.test, f)};
            if (counts[0] + counts[1] + counts[2] > 0) {
                outside_rows.push_back(
                    fmt::format("{} {}/{}/{}", column.name, counts[0], counts[1], counts[2]));
            }
        } else if (column.type == ColumnType::kBoolean) {
            typed.push_back(column.name + " (boolean)");
        }
        if (missing > 0) filled.push_back(fmt::format("{} {}", column.name, missing));
    }
    if (!typed.empty())
        lines.push_back("non-numeric features: " + fmt::format("{}", fmt::join(typed, ", ")));
    if (!outside_rows.empty()) {
        lines.push_back(
            fmt::format("rows with a category outside the vocabulary (rare, or unseen in training; "
                        "train/validation/test): {}",
                        fmt::join(outside_rows, ", ")));
    }
    if (!filled.empty()) {
        lines.push_back(fmt::format("missing values: {} (numeric: {}, categorical: {})",
                                    fmt::join(filled, ", "),
                                    data.preprocessor.options().missing.numeric,
                                    data.preprocessor.options().missing.categorical));
    }
    if (data.dropped_missing_target + data.dropped_missing_feature > 0) {
        lines.push_back(fmt::format("rows dropped: {} without a target, {} with missing features",
                                    data.dropped_missing_target, data.dropped_missing_feature));
    }
    if (!data.labels.empty()) {
        lines.push_back(fmt::format("labels: {}{}", fmt::join(data.labels, ", "),
                                    data.labels.size() == 2
                                        ? fmt::format(" (positive class: '{}'; data.positive_label "
                                                      "changes it)",
                                                      data.labels[1])
                                        : ""));
    }
    lines.push_back(fmt::format("split: train {}, validation {}, test {}", data.train.n_rows,
                                data.validation.n_rows, data.test.n_rows));
    if (classes > 0) {
        lines.push_back(fmt::format("classes per split: train [{}], validation [{}], test [{}]",
                                    fmt::join(class_counts(data.train, classes), ", "),
                                    fmt::join(class_counts(data.validation, classes), ", "),
                                    fmt::join(class_counts(data.test, classes), ", ")));
    }
    return lines;
}

}  // namespace dlctl
