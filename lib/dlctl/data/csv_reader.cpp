#include "dlctl/data/csv_reader.h"

#include <fmt/format.h>

// The library's error types copy file names with strncpy, which GCC flags once inlined here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cstring>
#include <set>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_fields.h"

namespace dlctl {

namespace {

namespace fs = std::filesystem;

bool is_blank(const char* line) {
    for (; *line != '\0'; ++line) {
        if (*line != ' ' && *line != '\t') return false;
    }
    return true;
}

bool looks_missing(std::string_view field) {
    static const char* const kMissing[] = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "?"};
    while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
    while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
    return std::any_of(std::begin(kMissing), std::end(kMissing),
                       [&](const char* m) { return field == m; });
}

void check_readable(const fs::path& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) {
        throw DataError(
            "data file '" + path.string() + "' does not exist",
            "check data.path in the spec; relative paths are relative to the spec file");
    }
    if (fs::is_directory(status)) {
        throw DataError("data file '" + path.string() + "' is a directory, not a CSV file");
    }
}

std::vector<std::string> read_header(io::LineReader& reader, const fs::path& path, char delimiter) {
    char* line = reader.next_line();
    while (line != nullptr && is_blank(line)) line = reader.next_line();
    if (line == nullptr) {
        throw DataError("data file '" + path.string() + "' is empty",
                        "a CSV file needs a header row and at least one data row");
    }
    if (std::strncmp(line, "\xEF\xBB\xBF", 3) == 0) line += 3;  // UTF-8 byte-order mark
    std::vector<std::string_view> fields;
    if (!split_csv_fields(line, delimiter, fields)) {
        throw DataError(fmt::format("{}:{}: unterminated quoted field in the header", path.string(),
                                    reader.get_file_line()));
    }
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string name(fields[i]);
        if (name.empty()) name = "col" + std::to_string(i);
        if (!seen.insert(name).second) {
            throw DataError(fmt::format("{}:{}: duplicate column name '{}'", path.string(),
                                        reader.get_file_line(), name),
                            "rename one of the columns so every name is unique");
        }
        names.push_back(std::move(name));
    }
    return names;
}

}  // namespace

Table read_csv(const fs::path& path, const CsvOptions& options) {
    check_readable(path);
    Table table;
    table.source = path.string();
    try {
        io::LineReader reader(path.string());
        table.names = read_header(reader, path, options.delimiter);
        const std::size_t width = table.names.size();
        table.columns.resize(width);

        std::vector<std::string_view> fields;
        fields.reserve(width);
        while (char* line = reader.next_line()) {
            const unsigned line_number = reader.get_file_line();
            if (is_blank(line)) continue;
            if (!split_csv_fields(line, options.delimiter, fields)) {
                throw DataError(
                    fmt::format("{}:{}: unterminated quoted field", table.source, line_number),
                    "a newline inside a quoted field is not supported");
            }
            if (fields.size() != width) {
                throw DataError(
                    fmt::format("{}:{}: found {} fields, expected {} (as in the header)",
                                table.source, line_number, fields.size(), width),
                    "check the delimiter (data.delimiter) and quoting of this row");
            }
            for (std::size_t c = 0; c < width; ++c) {
                float value = 0.0f;
                if (!parse_float(fields[c], value)) {
                    const std::string cell(fields[c]);
                    if (looks_missing(fields[c])) {
                        throw DataError(
                            fmt::format("{}:{}: column '{}': missing value '{}'", table.source,
                                        line_number, table.names[c], cell),
                            "missing-value handling is not yet supported: fill or drop such rows");
                    }
                    throw DataError(
                        fmt::format("{}:{}: column '{}': '{}' is not a finite number", table.source,
                                    line_number, table.names[c], cell),
                        "only numeric columns are supported yet: drop the column (data.drop) or "
                        "encode it as numbers");
                }
                table.columns[c].push_back(value);
            }
            table.lines.push_back(line_number);
        }
    } catch (const io::error::base& e) {
        throw DataError(std::string("cannot read data file: ") + e.what());
    }
    if (table.rows() == 0) {
        throw DataError("data file '" + table.source + "' has a header but no data rows");
    }
    return table;
}

}  // namespace dlctl
