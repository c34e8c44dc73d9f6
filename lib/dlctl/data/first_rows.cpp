#include "dlctl/data/first_rows.h"

#include <fmt/format.h>

#include <cmath>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_fields.h"
#include "dlctl/data/csv_parallel.h"
#include "dlctl/data/file_window.h"

namespace dlctl {

Table read_first_rows(const std::filesystem::path& csv,
                      const CsvOptions& options,
                      std::size_t bytes) {
    FileWindow file;
    if (!file.open(csv)) return read_csv(csv, options);  // read_csv says what is wrong
    std::string_view text = file.view(0, bytes);
    if (text.size() < file.size()) {
        const auto end = text.rfind('\n');
        if (end != std::string_view::npos) text = text.substr(0, end + 1);
    }
    // As read_csv: the parallel reader when every cell is a number, else type inference.
    if (auto numbers = read_numeric_csv_text(csv.string(), text, options))
        return std::move(*numbers);
    return read_csv_text(csv.string(), text, options);
}

CsvOptions with_types_of_rows(CsvOptions options, const Table& first) {
    options.column_types.clear();
    options.require_typed_columns = false;
    for (std::size_t c = 0; c < first.names.size(); ++c) {
        options.column_types.emplace_back(first.names[c], first.type(c) == ColumnType::kNumeric
                                                              ? ColumnType::kNumeric
                                                              : ColumnType::kCategorical);
    }
    return options;
}

void booleans_from_words(const Table& words,
                         std::size_t c,
                         std::vector<std::optional<float>>& known,
                         float* out) {
    while (known.size() < words.categories[c].size()) {
        known.push_back(parse_boolean(words.categories[c][known.size()]));
    }
    const Column& values = words.columns[c];
    for (std::size_t r = 0; r < values.size(); ++r) {
        if (std::isnan(values[r])) {
            out[r] = values[r];
            continue;
        }
        const auto category = static_cast<std::size_t>(values[r]);
        if (!known[category]) {
            throw DataError(
                fmt::format("{}:{}: column '{}' holds '{}', which is not a boolean word (its "
                            "type, declared or from the first rows of the file)",
                            words.source, words.lines[r], words.names[c],
                            words.categories[c][category]),
                fmt::format("declare its type (data.columns: {{{}: categorical}}), or read the "
                            "whole file at once (data.in_memory: true; on several ranks, "
                            "data.rank_reads: whole)",
                            words.names[c]));
        }
        out[r] = *known[category];
    }
}

}  // namespace dlctl
