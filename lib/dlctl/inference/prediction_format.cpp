#include "dlctl/inference/prediction_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>

namespace dlctl {

namespace {

/// One JSON line; bytes of an id that are not UTF-8 become U+FFFD (JSON text is UTF-8).
std::string dump_line(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string csv_cell(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

PredictionFormatter::PredictionFormatter(const TaskInfo& task, PredictionFormat format)
    : task_(task), format_(std::move(format)) {
    classes_ = task.classes == 0 ? 0 : task.classes == 1 ? 2 : task.classes;
    top_k_ = std::min(format_.top_k, classes_);
}

std::string PredictionFormatter::header() const {
    if (format_.format != "csv") return {};
    std::vector<std::string> columns;
    for (const auto& id : format_.id_columns) columns.push_back(csv_cell(id));
    columns.push_back("prediction");
    if (classes_ > 0 && top_k_ > 0) {
        for (int k = 1; k <= top_k_; ++k) {
            columns.push_back(fmt::format("top{}_label", k));
            columns.push_back(fmt::format("top{}_prob", k));
        }
    } else {
        for (const auto& label : task_.labels) columns.push_back(csv_cell("prob_" + label));
    }
    if (format_.spread) columns.push_back("spread");
    return fmt::format("{}\n", fmt::join(columns, ","));
}

void PredictionFormatter::rank(const float* values,
                               std::vector<float>& probs,
                               std::vector<int>& order) const {
    if (classes_ == 2 && task_.classes == 1) {
        probs = {1.0f - values[0], values[0]};
    } else {
        probs.assign(values, values + classes_);
    }
    order.resize(probs.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return probs[a] > probs[b]; });
}

std::string PredictionFormatter::row(const std::vector<std::string>& ids,
                                     const float* values,
                                     float spread) const {
    std::vector<float> probs;
    std::vector<int> order;
    std::string prediction;
    if (classes_ > 0) {
        rank(values, probs, order);
        // Binary decisions use P(positive) >= 0.5, as eval's default threshold does.
        const int predicted = task_.classes == 1 ? (values[0] >= 0.5f ? 1 : 0) : order[0];
        prediction = task_.labels[static_cast<std::size_t>(predicted)];
    } else {
        prediction = fmt::format("{}", values[0]);
    }
    return format_.format == "csv" ? csv_row(ids, prediction, probs, order, spread)
                                   : json_row(ids, prediction, values[0], probs, order, spread);
}

std::string PredictionFormatter::blank_row(const std::vector<std::string>& ids) const {
    if (format_.format != "csv") {
        nlohmann::json j = nlohmann::json::object();
        for (std::size_t i = 0; i < ids.size(); ++i) j[format_.id_columns[i]] = ids[i];
        j["prediction"] = nullptr;
        if (format_.spread) j["spread"] = nullptr;
        return dump_line(j);
    }
    std::vector<std::string> cells;
    for (const auto& id : ids) cells.push_back(csv_cell(id));
    const std::size_t empty =
        1 +
        (classes_ > 0 && top_k_ > 0 ? 2 * static_cast<std::size_t>(top_k_) : task_.labels.size()) +
        (format_.spread ? 1 : 0);
    cells.resize(cells.size() + empty);
    return fmt::format("{}\n", fmt::join(cells, ","));
}

std::string PredictionFormatter::csv_row(const std::vector<std::string>& ids,
                                         const std::string& prediction,
                                         const std::vector<float>& probs,
                                         const std::vector<int>& order,
                                         float spread) const {
    std::vector<std::string> cells;
    for (const auto& id : ids) cells.push_back(csv_cell(id));
    cells.push_back(csv_cell(prediction));
    if (classes_ > 0 && top_k_ > 0) {
        for (int k = 0; k < top_k_; ++k) {
            cells.push_back(csv_cell(task_.labels[static_cast<std::size_t>(order[k])]));
            cells.push_back(fmt::format("{}", probs[static_cast<std::size_t>(order[k])]));
        }
    } else {
        for (const float p : probs) cells.push_back(fmt::format("{}", p));
    }
    if (format_.spread) cells.push_back(fmt::format("{}", spread));
    return fmt::format("{}\n", fmt::join(cells, ","));
}

std::string PredictionFormatter::json_row(const std::vector<std::string>& ids,
                                          const std::string& prediction,
                                          float value,
                                          const std::vector<float>& probs,
                                          const std::vector<int>& order,
                                          float spread) const {
    nlohmann::json j = nlohmann::json::object();
    for (std::size_t i = 0; i < ids.size(); ++i) j[format_.id_columns[i]] = ids[i];
    if (format_.spread) j["spread"] = spread;
    if (classes_ == 0) {
        j["prediction"] = value;
        return dump_line(j);
    }
    j["prediction"] = prediction;
    if (top_k_ > 0) {
        nlohmann::json top = nlohmann::json::array();
        for (int k = 0; k < top_k_; ++k) {
            const auto c = static_cast<std::size_t>(order[k]);
            top.push_back({{"label", task_.labels[c]}, {"prob", probs[c]}});
        }
        j["top_k"] = top;
    } else {
        nlohmann::json p = nlohmann::json::object();
        for (int c = 0; c < classes_; ++c) p[task_.labels[c]] = probs[static_cast<std::size_t>(c)];
        j["probabilities"] = p;
    }
    return dump_line(j);
}

}  // namespace dlctl
