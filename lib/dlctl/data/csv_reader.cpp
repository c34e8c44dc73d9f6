#include "dlctl/data/csv_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_rows.h"

namespace dlctl {

namespace {

bool looks_missing(std::string_view field) {
    static const char* const kMissing[] = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "?"};
    while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
    while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
    return std::any_of(std::begin(kMissing), std::end(kMissing),
                       [&](const char* m) { return field == m; });
}

/// Every row of `reader` as float columns (see read_csv).
Table read_rows(CsvRowReader reader) {
    Table table;
    table.source = reader.source();
    table.names = reader.names();
    const std::size_t width = table.names.size();
    table.columns.resize(width);
    std::vector<std::string_view> fields;
    while (reader.next(fields)) {
        for (std::size_t c = 0; c < width; ++c) {
            float value = 0.0f;
            if (!parse_float(fields[c], value)) {
                const std::string cell(fields[c]);
                if (looks_missing(fields[c])) {
                    throw DataError(
                        fmt::format("{}:{}: column '{}': missing value '{}'", table.source,
                                    reader.line(), table.names[c], cell),
                        "missing-value handling is not yet supported: fill or drop such rows");
                }
                throw DataError(
                    fmt::format("{}:{}: column '{}': '{}' is not a finite number", table.source,
                                reader.line(), table.names[c],
                                valid_utf8(cell) ? cell : "(bytes that are not valid UTF-8)"),
                    "only numeric columns are supported yet: drop the column (data.drop) or "
                    "encode it as numbers");
            }
            table.columns[c].push_back(value);
        }
        table.lines.push_back(reader.line());
    }
    if (table.rows() == 0) {
        throw DataError("data file '" + table.source + "' has a header but no data rows");
    }
    return table;
}

}  // namespace

Table read_csv(const std::filesystem::path& path, const CsvOptions& options) {
    return read_rows(CsvRowReader::open(path, options));
}

Table read_csv_text(const std::string& name, std::string_view text, const CsvOptions& options) {
    return read_rows(CsvRowReader::from_text(name, text, options));
}

}  // namespace dlctl
