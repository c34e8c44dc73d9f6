#include "dlctl/autospec/task_inference.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_fields.h"

namespace dlctl {

namespace {

constexpr std::size_t kMaxTextClasses = 200;
constexpr std::size_t kMaxIntegerClasses = 20;
constexpr std::size_t kAmbiguousNumbers = 10;  ///< this few non-integer values: ask

/// The distinct values of a target column as text, sorted (numbers numerically), and whether
/// they are numbers, all of them integers.
struct TargetValues {
    std::vector<std::string> text;
    std::size_t labels = 0;  ///< distinct spellings: the classes training makes ("1", "1.0": two)
    bool numeric = false;
    bool integers = false;
};

/// `column` read as text (the target of a classification spec is), so labels keep their
/// spelling; numbers are told by parsing the categories.
TargetValues distinct_values(const Table& table, int target) {
    TargetValues out;
    const auto c = static_cast<std::size_t>(target);
    std::map<float, std::string> numbers;  // by value: the listing and the integer test
    out.numeric = true;
    if (table.type(c) != ColumnType::kCategorical) {  // data.columns declared it
        for (const float v : table.columns[c]) {
            if (!std::isnan(v)) numbers.emplace(v, fmt::format("{}", v));
        }
        out.numeric = table.type(c) == ColumnType::kNumeric;
    } else {
        std::vector<bool> used(table.categories[c].size(), false);
        for (const float v : table.columns[c]) {
            if (!std::isnan(v)) used[static_cast<std::size_t>(v)] = true;
        }
        for (std::size_t i = 0; i < used.size(); ++i) {
            if (!used[i]) continue;
            const std::string& text = table.categories[c][i];
            float value = 0.0f;
            if (out.numeric && parse_float(text, value)) {
                numbers.emplace(value, text);
            } else {
                out.numeric = false;
            }
            out.text.push_back(text);
        }
    }
    if (!out.numeric && out.text.empty()) {  // a boolean column
        for (const auto& [value, text] : numbers) out.text.push_back(value > 0 ? "true" : "false");
    }
    out.labels = out.text.empty() ? numbers.size() : out.text.size();
    if (!out.numeric) {
        std::sort(out.text.begin(), out.text.end());
        return out;
    }
    out.text.clear();
    out.integers = true;
    for (const auto& [value, text] : numbers) {
        out.text.push_back(text);
        out.integers = out.integers && value == std::round(value);
    }
    return out;
}

/// Up to six values, for messages.
std::string some(const std::vector<std::string>& values) {
    if (values.size() <= 6) return fmt::format("{}", fmt::join(values, ", "));
    return fmt::format("{}, ..., {}", fmt::join(values.begin(), values.begin() + 4, ", "),
                       values.back());
}

TaskGuess given_task(const std::string& given,
                     const TargetValues& values,
                     const std::string& name) {
    const std::size_t k = values.labels;
    if (given == "regression") {
        if (!values.numeric) {
            throw DataError(fmt::format("target '{}' is not numeric ({}), so it cannot be a "
                                        "regression target",
                                        name, some(values.text)),
                            "use data.task: multiclass (or binary), or another target");
        }
        return {"regression", 0, "data.task says regression"};
    }
    if (given == "binary" && k != 2) {
        throw DataError(fmt::format("data.task is binary, but target '{}' holds {} distinct "
                                    "values ({})",
                                    name, k, some(values.text)),
                        k > 2 ? "use data.task: multiclass" : "a binary target needs two values");
    }
    if (given == "binary") return {"binary", 1, "data.task says binary"};
    return {"multiclass", static_cast<int>(k),
            fmt::format("data.task says multiclass ({} classes)", k)};
}

}  // namespace

TaskGuess infer_task(const Table& table, int target, const std::string& given) {
    const std::string& name = table.names[static_cast<std::size_t>(target)];
    const TargetValues values = distinct_values(table, target);
    const std::size_t k = values.labels;
    if (k < 2) {
        throw DataError(fmt::format("target '{}' holds {} distinct value{}{}: there is nothing to "
                                    "learn",
                                    name, k, k == 1 ? "" : "s",
                                    k == 1 ? " ('" + values.text.front() + "')" : ""),
                        "check data.target and data.na_values");
    }
    if (given != "auto") return given_task(given, values, name);
    const std::string listed = some(values.text);
    if (k == 2) {
        return {"binary", 1, fmt::format("target '{}' holds 2 distinct values ({})", name, listed)};
    }
    if (!values.numeric) {
        if (k > kMaxTextClasses) {
            throw DataError(
                fmt::format("target '{}' holds {} distinct text values ({}): too many classes "
                            "to guess a task",
                            name, k, listed),
                "is it an identifier? Pick another data.target, or set data.task: multiclass");
        }
        return {"multiclass", static_cast<int>(k),
                fmt::format("target '{}' holds {} distinct text values ({})", name, k, listed)};
    }
    if (values.integers && k <= kMaxIntegerClasses) {
        return {"multiclass", static_cast<int>(k),
                fmt::format("target '{}' holds {} distinct integers ({}); if they are amounts "
                            "or an ordered scale, --set data.task=regression fits better",
                            name, k, listed)};
    }
    if (!values.integers && k <= kAmbiguousNumbers) {
        throw DataError(
            fmt::format("target '{}' holds only {} distinct numbers, not all integers ({}): "
                        "are they classes or amounts? Say which: --set data.task=multiclass "
                        "or --set data.task=regression",
                        name, k, listed),
            "or set data.task in the spec");
    }
    return {"regression", 0,
            fmt::format("target '{}' holds {} distinct numbers{}", name, k,
                        values.integers ? " (integers, more than 20)" : "")};
}

}  // namespace dlctl
