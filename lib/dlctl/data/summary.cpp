#include "dlctl/data/summary.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace dlctl {

namespace {

std::vector<std::int64_t> class_counts(const Dataset& split, int classes) {
    std::vector<std::int64_t> counts(classes == 1 ? 2 : classes, 0);
    for (const float y : split.targets) ++counts[static_cast<std::size_t>(y)];
    return counts;
}

}  // namespace

std::string data_summary_json(const PreparedData& data, int classes) {
    using nlohmann::json;
    json features = json::array();
    const Preprocessor& p = data.preprocessor;
    for (std::size_t f = 0; f < data.feature_names.size(); ++f) {
        features.push_back({{"name", data.feature_names[f]},
                            {"type", "numeric"},
                            {"offset", p.offsets()[f]},
                            {"scale", p.scales()[f]}});
    }
    json out = {{"source", data.table.source},
                {"rows_read", data.table.rows()},
                {"rows_dropped", 0},
                {"columns", data.table.names.size()},
                {"target", data.target_name},
                {"normalize", p.method()},
                {"target_offset", data.target_offset},
                {"target_scale", data.target_scale},
                {"encoded_features", data.feature_names.size()},
                {"features", features},
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
    lines.push_back(
        fmt::format("data: {} rows x {} columns from {}; {} features (normalize: {}), target '{}'",
                    data.table.rows(), data.table.names.size(), data.table.source,
                    data.feature_names.size(), data.preprocessor.method(), data.target_name));
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
