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

/// The candidate delimiter that occurs most often outside quotes in `line` (',' when none does).
char sniff_delimiter(const char* line) {
    constexpr char kCandidates[] = {',', ';', '\t', '|'};
    std::size_t counts[4] = {0, 0, 0, 0};
    bool quoted = false;
    for (const char* p = line; *p != '\0'; ++p) {
        if (*p == '"') quoted = !quoted;
        if (quoted) continue;
        for (int c = 0; c < 4; ++c) counts[c] += *p == kCandidates[c];
    }
    const auto best = std::max_element(std::begin(counts), std::end(counts)) - std::begin(counts);
    return counts[best] > 0 ? kCandidates[best] : ',';
}

/// True when `text` is well-formed UTF-8.
bool valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t length = c < 0x80           ? 1
                                   : (c >> 5) == 0x6  ? 2
                                   : (c >> 4) == 0xE  ? 3
                                   : (c >> 3) == 0x1E ? 4
                                                      : 0;
        if (length == 0 || i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        }
        i += length;
    }
    return true;
}

/// Reads every line of `reader` into a table (see read_csv).
Table read_lines(io::LineReader& reader, const std::string& source, const CsvOptions& options) {
    Table table;
    table.source = source;
    char* line = reader.next_line();
    while (line != nullptr && is_blank(line)) line = reader.next_line();
    if (line == nullptr) {
        throw DataError("data file '" + source + "' is empty",
                        "a CSV file needs a header row and at least one data row");
    }
    if (std::strncmp(line, "\xEF\xBB\xBF", 3) == 0) line += 3;  // UTF-8 byte-order mark
    const char delimiter = options.delimiter != '\0' ? options.delimiter : sniff_delimiter(line);

    std::vector<std::string_view> fields;
    auto split = [&](char* text, unsigned line_number) {
        if (!split_csv_fields(text, delimiter, fields)) {
            throw DataError(fmt::format("{}:{}: unterminated quoted field", source, line_number),
                            "a newline inside a quoted field is not supported");
        }
    };
    split(line, reader.get_file_line());
    std::set<std::string> seen;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string name = options.header ? std::string(fields[i]) : std::string();
        if (!valid_utf8(name)) {
            throw DataError(fmt::format("{}:{}: column {} has a name that is not valid UTF-8",
                                        source, reader.get_file_line(), i + 1),
                            "save the file as UTF-8");
        }
        if (name.empty()) name = "col" + std::to_string(i);
        if (!seen.insert(name).second) {
            throw DataError(fmt::format("{}:{}: duplicate column name '{}'", source,
                                        reader.get_file_line(), name),
                            "rename one of the columns so every name is unique");
        }
        table.names.push_back(std::move(name));
    }
    const std::size_t width = table.names.size();
    table.columns.resize(width);

    auto add_row = [&](unsigned line_number) {
        if (fields.size() != width) {
            throw DataError(fmt::format("{}:{}: found {} fields, expected {} (as in the {})",
                                        source, line_number, fields.size(), width,
                                        options.header ? "header" : "first row"),
                            "check the delimiter (data.delimiter) and quoting of this row");
        }
        for (std::size_t c = 0; c < width; ++c) {
            float value = 0.0f;
            if (!parse_float(fields[c], value)) {
                const std::string cell(fields[c]);
                if (looks_missing(fields[c])) {
                    throw DataError(
                        fmt::format("{}:{}: column '{}': missing value '{}'", source, line_number,
                                    table.names[c], cell),
                        "missing-value handling is not yet supported: fill or drop such rows");
                }
                throw DataError(
                    fmt::format("{}:{}: column '{}': '{}' is not a finite number", source,
                                line_number, table.names[c],
                                valid_utf8(cell) ? cell : "(bytes that are not valid UTF-8)"),
                    "only numeric columns are supported yet: drop the column (data.drop) or "
                    "encode it as numbers");
            }
            table.columns[c].push_back(value);
        }
        table.lines.push_back(line_number);
    };
    if (!options.header) add_row(reader.get_file_line());
    while ((line = reader.next_line()) != nullptr) {
        if (is_blank(line)) continue;
        const unsigned line_number = reader.get_file_line();
        split(line, line_number);
        add_row(line_number);
    }
    if (table.rows() == 0) {
        throw DataError("data file '" + source + "' has a header but no data rows");
    }
    return table;
}

}  // namespace

Table read_csv(const fs::path& path, const CsvOptions& options) {
    check_readable(path);
    try {
        io::LineReader reader(path.string());
        return read_lines(reader, path.string(), options);
    } catch (const io::error::base& e) {
        throw DataError(std::string("cannot read data file: ") + e.what(),
                        "lines longer than 16 MiB are not supported");
    }
}

Table read_csv_text(const std::string& name, std::string_view text, const CsvOptions& options) {
    try {
        io::LineReader reader(name, text.data(), text.data() + text.size());
        return read_lines(reader, name, options);
    } catch (const io::error::base& e) {
        throw DataError(std::string("cannot read data: ") + e.what(),
                        "lines longer than 16 MiB are not supported");
    }
}

}  // namespace dlctl
