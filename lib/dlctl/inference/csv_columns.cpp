#include "dlctl/inference/csv_columns.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"
#include "dlctl/data/csv_fields.h"

namespace dlctl {

CsvColumnChunks::CsvColumnChunks(CsvRowReader reader,
                                 std::vector<std::pair<std::string, ColumnType>> typed,
                                 std::vector<std::string> text,
                                 std::vector<std::string> na_values,
                                 bool skip_bad_rows)
    : reader_(std::move(reader)),
      text_names_(std::move(text)),
      na_values_(std::move(na_values)),
      skip_bad_rows_(skip_bad_rows) {
    for (auto& [name, type] : typed) {
        numeric_names_.push_back(std::move(name));
        types_.push_back(type);
    }
    const auto& names = reader_.names();
    std::vector<std::string> missing;
    auto find = [&](const std::vector<std::string>& wanted, std::vector<int>& out) {
        for (const auto& name : wanted) {
            const auto it = std::find(names.begin(), names.end(), name);
            out.push_back(it == names.end() ? -1 : static_cast<int>(it - names.begin()));
            if (it == names.end()) missing.push_back(name);
        }
    };
    find(numeric_names_, numeric_);
    find(text_names_, text_);
    if (!missing.empty()) {
        throw DataError(
            fmt::format("{}: missing {} column{}: {}", reader_.source(), missing.size(),
                        missing.size() == 1 ? "" : "s", quoted_list(missing)),
            "columns are matched by name (any order); the file has " + quoted_list(names));
    }
    row_.resize(numeric_.size());
}

std::vector<std::string> CsvColumnChunks::unused_columns() const {
    std::vector<std::string> out;
    const auto& names = reader_.names();
    for (std::size_t c = 0; c < names.size(); ++c) {
        const int index = static_cast<int>(c);
        if (std::find(numeric_.begin(), numeric_.end(), index) == numeric_.end() &&
            std::find(text_.begin(), text_.end(), index) == text_.end()) {
            out.push_back(names[c]);
        }
    }
    return out;
}

bool CsvColumnChunks::next(std::int64_t max_rows,
                           Table& table,
                           std::vector<std::vector<std::string>>& text) {
    table.source = reader_.source();
    table.names = numeric_names_;
    table.types = types_;
    table.columns.assign(numeric_.size(), {});
    table.categories.assign(numeric_.size(), {});
    table.lines.clear();
    text.clear();
    std::vector<std::unordered_map<std::string, float>> dictionaries(numeric_.size());
    while (static_cast<std::int64_t>(table.rows()) < max_rows && reader_.next(fields_)) {
        bool good = true;
        for (std::size_t i = 0; i < numeric_.size() && good; ++i) {
            const std::string_view cell = trim_blanks(fields_[numeric_[i]]);
            if (std::find(na_values_.begin(), na_values_.end(), cell) != na_values_.end()) {
                row_[i] = std::nanf("");
                continue;
            }
            if (types_[i] == ColumnType::kCategorical) {
                auto& dictionary = dictionaries[i];
                const auto [it, added] = dictionary.try_emplace(
                    std::string(cell), static_cast<float>(table.categories[i].size()));
                if (added) table.categories[i].emplace_back(cell);
                row_[i] = it->second;
                continue;
            }
            if (types_[i] == ColumnType::kBoolean) {
                const auto b = parse_boolean(cell);
                if (b) {
                    row_[i] = *b;
                    continue;
                }
            } else if (parse_float(cell, row_[i])) {
                continue;
            }
            if (!skip_bad_rows_) {
                const std::string value(cell);
                throw DataError(
                    fmt::format("{}:{}: column '{}': '{}' is not {}", reader_.source(),
                                reader_.line(), numeric_names_[i],
                                valid_utf8(value) ? value : "(bytes that are not valid UTF-8)",
                                types_[i] == ColumnType::kBoolean ? "a boolean"
                                : outside_float32(cell) ? "a number float32 holds (inf, nan, "
                                                          "or a magnitude above 3.4e38)"
                                                        : "a number"),
                    "fix or remove that row, mark missing values as one of data.na_values, or "
                    "pass --on-error skip to skip such rows");
            }
            good = false;
        }
        if (!good) {
            ++skipped_;
            continue;
        }
        for (std::size_t i = 0; i < numeric_.size(); ++i) table.columns[i].push_back(row_[i]);
        table.lines.push_back(reader_.line());
        std::vector<std::string> cells;
        for (const int c : text_) cells.emplace_back(fields_[c]);
        text.push_back(std::move(cells));
    }
    return table.rows() > 0;
}

}  // namespace dlctl
