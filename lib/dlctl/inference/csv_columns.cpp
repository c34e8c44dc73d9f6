#include "dlctl/inference/csv_columns.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"
#include "dlctl/data/csv_fields.h"

namespace dlctl {

CsvColumnChunks::CsvColumnChunks(CsvRowReader reader,
                                 std::vector<TableSchema> schemas,
                                 std::vector<std::string> text,
                                 BadRows bad_rows)
    : reader_(std::move(reader)),
      schemas_(std::move(schemas)),
      text_names_(std::move(text)),
      bad_row_policy_(bad_rows) {
    const auto& names = reader_.names();
    std::vector<std::string> missing;
    auto field_of = [&](const std::string& name) {
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end() && std::find(missing.begin(), missing.end(), name) == missing.end()) {
            missing.push_back(name);
        }
        return it == names.end() ? -1 : static_cast<int>(it - names.begin());
    };
    for (const TableSchema& schema : schemas_) {
        std::vector<Wanted> wanted;
        for (const auto& [name, type] : schema.columns) wanted.push_back({field_of(name), type});
        wanted_.push_back(std::move(wanted));
    }
    for (const auto& name : text_names_) text_.push_back(field_of(name));
    if (!missing.empty()) {
        throw DataError(
            fmt::format("{}: missing {} column{}: {}", reader_.source(), missing.size(),
                        missing.size() == 1 ? "" : "s", quoted_list(missing)),
            "columns are matched by name (any order); the file has " + quoted_list(names));
    }
}

std::vector<std::string> CsvColumnChunks::unused_columns() const {
    std::vector<bool> used(reader_.names().size(), false);
    for (const auto& wanted : wanted_) {
        for (const Wanted& w : wanted) used[static_cast<std::size_t>(w.field)] = true;
    }
    for (const int field : text_) used[static_cast<std::size_t>(field)] = true;
    std::vector<std::string> out;
    for (std::size_t c = 0; c < used.size(); ++c) {
        if (!used[c]) out.push_back(reader_.names()[c]);
    }
    return out;
}

void CsvColumnChunks::refuse_cell(std::size_t schema, std::size_t column, std::string_view cell) {
    const std::string value(cell);
    const ColumnType type = wanted_[schema][column].type;
    throw DataError(fmt::format("{}:{}: column '{}': '{}' is not {}", reader_.source(),
                                reader_.line(), schemas_[schema].columns[column].first,
                                valid_utf8(value) ? value : "(bytes that are not valid UTF-8)",
                                type == ColumnType::kBoolean ? "a boolean"
                                : outside_float32(cell)      ? "a number float32 holds (inf, nan, "
                                                               "or a magnitude above 3.4e38)"
                                                             : "a number"),
                    "fix or remove that row, mark missing values as one of data.na_values, or pass "
                    "--on-error skip (or blank) to skip such rows");
}

bool CsvColumnChunks::parse_row(std::vector<Table>& tables, std::vector<std::vector<float>>& row) {
    for (std::size_t s = 0; s < schemas_.size(); ++s) {
        const auto& na = schemas_[s].na_values;
        for (std::size_t i = 0; i < wanted_[s].size(); ++i) {
            const std::string_view cell = trim_blanks(fields_[wanted_[s][i].field]);
            float& value = row[s][i];
            if (std::find(na.begin(), na.end(), cell) != na.end()) {
                value = std::nanf("");
                continue;
            }
            switch (wanted_[s][i].type) {
                case ColumnType::kCategorical: {
                    const auto [it, added] = dictionaries_[s][i].try_emplace(
                        std::string(cell), static_cast<float>(tables[s].categories[i].size()));
                    if (added) tables[s].categories[i].emplace_back(cell);
                    value = it->second;
                    continue;
                }
                case ColumnType::kBoolean:
                    if (const auto b = parse_boolean(cell)) {
                        value = *b;
                        continue;
                    }
                    break;
                case ColumnType::kNumeric:
                    if (parse_float(cell, value)) continue;
                    break;
            }
            if (bad_row_policy_ == BadRows::kError) refuse_cell(s, i, cell);
            return false;
        }
    }
    return true;
}

bool CsvColumnChunks::next(std::int64_t max_rows,
                           std::vector<Table>& tables,
                           std::vector<std::vector<std::string>>& text) {
    tables.assign(schemas_.size(), Table{});
    std::vector<std::vector<float>> row(schemas_.size());
    dictionaries_.assign(schemas_.size(), {});
    for (std::size_t s = 0; s < schemas_.size(); ++s) {
        Table& table = tables[s];
        table.source = reader_.source();
        for (const auto& [name, type] : schemas_[s].columns) {
            table.names.push_back(name);
            table.types.push_back(type);
        }
        table.columns.assign(table.names.size(), {});
        table.categories.assign(table.names.size(), {});
        row[s].resize(table.names.size());
        dictionaries_[s].resize(table.names.size());
    }
    text.clear();
    bad_rows_.clear();
    std::int64_t rows = 0;
    while (rows < max_rows && reader_.next(fields_)) {
        if (!parse_row(tables, row)) {
            ++rejected_;
            if (bad_row_policy_ == BadRows::kSkip) continue;
            bad_rows_.push_back(static_cast<std::uint32_t>(rows));
            for (auto& values : row) std::fill(values.begin(), values.end(), std::nanf(""));
        }
        for (std::size_t s = 0; s < schemas_.size(); ++s) {
            for (std::size_t i = 0; i < row[s].size(); ++i)
                tables[s].columns[i].push_back(row[s][i]);
            tables[s].lines.push_back(reader_.line());
        }
        std::vector<std::string> cells;
        for (const int c : text_) cells.emplace_back(fields_[c]);
        text.push_back(std::move(cells));
        ++rows;
    }
    return rows > 0;
}

}  // namespace dlctl
