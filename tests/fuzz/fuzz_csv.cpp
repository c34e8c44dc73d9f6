// libFuzzer target for the CSV reader: any bytes must give a table or a DataError, never a crash,
// a hang or a sanitizer report. Built and run by scripts/fuzz_csv.sh (clang only).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dlctl/core/error.h"
#include "dlctl/data/csv_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks the options (the reader's 48 MB line buffer makes each call costly).
    const dlctl::CsvOptions choices[] = {{',', true}, {'\0', true}, {';', false}, {'\t', true}};
    const dlctl::CsvOptions options = choices[data[0] % 4];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const dlctl::Table table = dlctl::read_csv_text("fuzz.csv", text, options);
        for (const auto& column : table.columns) {
            if (column.size() != table.rows()) __builtin_trap();  // columns stay aligned
        }
    } catch (const dlctl::DataError&) {
    }
    return 0;
}
