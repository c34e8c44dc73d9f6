#include "dlctl/data/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace dlctl {

const char* to_string(ColumnType type) {
    switch (type) {
        case ColumnType::kNumeric:
            return "numeric";
        case ColumnType::kBoolean:
            return "boolean";
        case ColumnType::kCategorical:
            return "categorical";
    }
    return "?";
}

int Table::column_index(const std::string& name) const {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

std::string Table::text(std::size_t column, std::size_t row) const {
    const float v = columns[column][row];
    if (std::isnan(v)) return "";
    switch (type(column)) {
        case ColumnType::kCategorical:
            return categories[column][static_cast<std::size_t>(v)];
        case ColumnType::kBoolean:
            return v != 0.0f ? "true" : "false";
        case ColumnType::kNumeric:
            break;
    }
    return fmt::format("{}", v);
}

}  // namespace dlctl
