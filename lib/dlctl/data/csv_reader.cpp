#include "dlctl/data/csv_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <unordered_map>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_parallel.h"
#include "dlctl/data/csv_rows.h"

namespace dlctl {

namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

bool looks_missing(std::string_view field) {
    static const char* const kMissing[] = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "?"};
    field = trim_blanks(field);
    return std::any_of(std::begin(kMissing), std::end(kMissing),
                       [&](const char* m) { return field == m; });
}

/// True for a number that is not finite (inf, nan), which a numeric column never accepts.
/// How a column is being read: as numbers, or as text (categorical, then maybe boolean).
enum class Reading { kNumber, kText };

struct ColumnPlan {
    Reading reading = Reading::kNumber;
    bool inferred = false;  ///< the type was not given: may switch from numbers to text
    std::optional<ColumnType> declared;
};

[[noreturn]] void bad_number(const std::string& source,
                             unsigned line,
                             const std::string& column,
                             std::string_view cell,
                             bool strict) {
    const std::string text(cell);
    if (strict && looks_missing(cell)) {
        throw DataError(
            fmt::format("{}:{}: column '{}': missing value '{}'", source, line, column, text),
            "list missing-value markers in data.na_values, or fill or drop such rows");
    }
    throw DataError(
        fmt::format("{}:{}: column '{}': '{}' is {}", source, line, column,
                    valid_utf8(text) ? text : "(bytes that are not valid UTF-8)",
                    outside_float32(cell) && text.find_first_of("iInN") == std::string::npos
                        ? "outside float32's range (magnitudes up to 3.4e38)"
                        : "not a finite number"),
        strict ? "drop the column (data.drop), or declare it categorical in "
                 "data.columns"
               : "numeric columns take finite numbers only; mark missing values with "
                 "data.na_values");
}

/// One pass over the file with the current plan. Returns the columns that must switch from
/// numbers to text (empty when the table is complete).
std::vector<int> read_pass(CsvRowReader& reader,
                           const CsvOptions& options,
                           std::vector<ColumnPlan>& plans,
                           Table& table) {
    const std::size_t width = table.names.size();
    table.columns.assign(width, {});
    table.categories.assign(width, {});
    table.lines.clear();
    std::vector<std::unordered_map<std::string, float>> dictionaries(width);
    auto is_na = [&](std::string_view cell) {
        const std::string_view t = trim_blanks(cell);
        return std::find(options.na_values.begin(), options.na_values.end(), t) !=
               options.na_values.end();
    };
    std::vector<int> switching;
    std::vector<std::string_view> fields;
    while (reader.next(fields)) {
        for (std::size_t c = 0; c < width; ++c) {
            ColumnPlan& plan = plans[c];
            const std::string_view cell = fields[c];
            if (!switching.empty()) {  // only looking for more columns that must switch
                float ignored = 0.0f;
                if (plan.reading == Reading::kNumber && plan.inferred && !is_na(cell) &&
                    !parse_float(cell, ignored) && !outside_float32(cell)) {
                    plan.reading = Reading::kText;
                    switching.push_back(static_cast<int>(c));
                }
                continue;
            }
            if (is_na(cell)) {
                table.columns[c].push_back(kMissing);
                continue;
            }
            if (plan.reading == Reading::kNumber) {
                float value = 0.0f;
                if (parse_float(cell, value)) {
                    table.columns[c].push_back(value);
                    continue;
                }
                if (!plan.inferred || outside_float32(cell)) {
                    bad_number(table.source, reader.line(), table.names[c], cell,
                               !options.infer_types);
                }
                plan.reading = Reading::kText;
                switching.push_back(static_cast<int>(c));
                continue;
            }
            const std::string text(trim_blanks(cell));
            auto& dictionary = dictionaries[c];
            const auto [it, added] =
                dictionary.try_emplace(text, static_cast<float>(table.categories[c].size()));
            if (added) {
                if (!valid_utf8(text)) {
                    throw DataError(fmt::format("{}:{}: column '{}' has a value that is not valid "
                                                "UTF-8",
                                                table.source, reader.line(), table.names[c]),
                                    "save the file as UTF-8");
                }
                table.categories[c].push_back(text);
            }
            table.columns[c].push_back(it->second);
        }
        if (switching.empty()) table.lines.push_back(reader.line());
    }
    return switching;
}

/// Text columns whose values are all boolean words (or declared boolean) become 1/0 columns.
void resolve_text_types(const std::vector<ColumnPlan>& plans, Table& table) {
    for (std::size_t c = 0; c < plans.size(); ++c) {
        const ColumnPlan& plan = plans[c];
        if (plan.reading != Reading::kText) {
            table.types[c] = ColumnType::kNumeric;
            continue;
        }
        std::vector<float> as_boolean;
        bool all_boolean = true;
        for (const auto& category : table.categories[c]) {
            const auto b = parse_boolean(category);
            if (!b) {
                all_boolean = false;
                if (plan.declared == ColumnType::kBoolean) {
                    throw DataError(fmt::format("{}: column '{}' is declared boolean in "
                                                "data.columns, but holds '{}'",
                                                table.source, table.names[c], category),
                                    "boolean columns hold true/false, yes/no, t/f or y/n");
                }
                break;
            }
            as_boolean.push_back(*b);
        }
        const bool boolean =
            plan.declared == ColumnType::kBoolean || (plan.inferred && all_boolean);
        if (!boolean || table.categories[c].empty()) {
            table.types[c] = ColumnType::kCategorical;
            continue;
        }
        table.types[c] = ColumnType::kBoolean;
        for (float& v : table.columns[c]) {
            if (!std::isnan(v)) v = as_boolean[static_cast<std::size_t>(v)];
        }
        table.categories[c].clear();
    }
}

/// Reads every row of the readers `open` makes (see read_csv); a second pass happens only when
/// an inferred column turns out not to be numeric.
Table read_typed(const std::function<CsvRowReader()>& open, const CsvOptions& options) {
    CsvRowReader reader = open();
    Table table;
    table.source = reader.source();
    table.names = reader.names();
    const std::size_t width = table.names.size();
    std::vector<ColumnPlan> plans(width);
    for (std::size_t c = 0; c < width; ++c) {
        plans[c].inferred = options.infer_types;
        for (const auto& [name, type] : options.column_types) {
            if (name != table.names[c]) continue;
            plans[c].declared = type;
            plans[c].inferred = false;
            plans[c].reading = type == ColumnType::kNumeric ? Reading::kNumber : Reading::kText;
        }
    }
    for (const auto& [name, type] : options.column_types) {
        if (options.require_typed_columns &&
            std::find(table.names.begin(), table.names.end(), name) == table.names.end()) {
            throw DataError(fmt::format("{}: data.columns names '{}', which is not a column",
                                        table.source, name));
        }
    }
    if (!read_pass(reader, options, plans, table).empty()) {
        reader = open();  // the switched columns are text now
        const auto again = read_pass(reader, options, plans, table);
        if (!again.empty()) throw InternalError(__FILE__, __LINE__, "column types changed twice");
    }
    if (table.rows() == 0) {
        throw DataError("data file '" + table.source + "' has a header but no data rows");
    }
    table.types.assign(width, ColumnType::kNumeric);
    resolve_text_types(plans, table);
    return table;
}

}  // namespace

namespace {

/// Size and modification time: what shows that another process changed a file.
std::pair<std::uintmax_t, std::filesystem::file_time_type> version_of(
    const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return {ec ? 0 : size, std::filesystem::last_write_time(path, ec)};
}

}  // namespace

Table read_csv(const std::filesystem::path& path, const CsvOptions& options) {
    if (path == "-") return read_typed([&] { return CsvRowReader::open(path, options); }, options);
    const auto before = version_of(path);
    auto table = read_numeric_csv(path, options);
    if (!table) table = read_typed([&] { return CsvRowReader::open(path, options); }, options);
    if (version_of(path) != before) {
        throw DataError("data file '" + path.string() +
                            "' changed while it was read (its size or modification time)",
                        "let whatever writes the file finish, then run again");
    }
    return std::move(*table);
}

Table read_csv_text(const std::string& name, std::string_view text, const CsvOptions& options) {
    return read_typed([&] { return CsvRowReader::from_text(name, text, options); }, options);
}

}  // namespace dlctl
