#include "dlctl/inference/csv_columns.h"

#include <fmt/format.h>

#include <algorithm>

#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"
#include "dlctl/data/csv_fields.h"

namespace dlctl {

CsvColumnChunks::CsvColumnChunks(CsvRowReader reader,
                                 std::vector<std::string> numeric,
                                 std::vector<std::string> text,
                                 bool skip_bad_rows)
    : reader_(std::move(reader)),
      numeric_names_(std::move(numeric)),
      text_names_(std::move(text)),
      skip_bad_rows_(skip_bad_rows) {
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
    table.columns.assign(numeric_.size(), {});
    table.lines.clear();
    text.clear();
    while (static_cast<std::int64_t>(table.rows()) < max_rows && reader_.next(fields_)) {
        bool good = true;
        for (std::size_t i = 0; i < numeric_.size() && good; ++i) {
            if (parse_float(fields_[numeric_[i]], row_[i])) continue;
            if (!skip_bad_rows_) {
                const std::string cell(fields_[numeric_[i]]);
                throw DataError(
                    fmt::format("{}:{}: column '{}': '{}' is not a number", reader_.source(),
                                reader_.line(), numeric_names_[i],
                                valid_utf8(cell) ? cell : "(bytes that are not valid UTF-8)"),
                    "fix or remove that row, or pass --on-error skip to skip such rows");
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
