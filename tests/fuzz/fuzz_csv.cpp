// libFuzzer target for the CSV reader: any bytes must give a table or a DataError, never a crash,
// a hang or a sanitizer report. Built and run by scripts/fuzz_csv.sh (clang only).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_parallel.h"
#include "dlctl/data/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks the options (the reader's 48 MB line buffer makes each call costly).
    // (types inferred with missing-value markers on half of the choices)
    dlctl::CsvOptions options = dlctl::csv_format(",\0;\t"[data[0] % 4], (data[0] & 4) == 0);
    if ((data[0] & 8) != 0) {
        options.infer_types = true;
        options.na_values = {"", "NA", "?"};
    }
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    // The parallel reader of numeric files (small blocks, 2 threads) must agree with the typed
    // reader wherever it reads a file at all.
    std::optional<dlctl::Table> fast;
    try {
        fast = dlctl::read_numeric_csv_text("fuzz.csv", text, options, 2, 64);
    } catch (const dlctl::DataError&) {
    }
    try {
        const dlctl::Table table = dlctl::read_csv_text("fuzz.csv", text, options);
        if (fast && (fast->names != table.names || fast->lines != table.lines ||
                     fast->types != table.types || fast->categories != table.categories ||
                     fast->columns.size() != table.columns.size())) {
            __builtin_trap();
        }
        for (std::size_t c = 0; fast && c < table.columns.size(); ++c) {
            if (fast->columns[c].size() != table.columns[c].size()) __builtin_trap();
            for (std::size_t i = 0; i < table.columns[c].size(); ++i) {
                const float x = fast->columns[c][i], y = table.columns[c][i];
                if (!(x == y || (x != x && y != y))) __builtin_trap();
            }
        }
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            if (table.columns[c].size() != table.rows()) __builtin_trap();  // columns stay aligned
            if (table.type(c) != dlctl::ColumnType::kCategorical) continue;
            for (const float v : table.columns[c]) {  // every category index is in range
                if (v == v && !(v >= 0 && v < static_cast<float>(table.categories[c].size()))) {
                    __builtin_trap();
                }
            }
        }
    } catch (const dlctl::DataError&) {
    }
    return 0;
}
