#pragma once

#include <cstddef>
#include <string_view>

namespace dlctl {

/// Bytes after a row's end that scan_numeric_row may read (it loads the row in 64-byte blocks).
inline constexpr std::size_t kRowScanPadding = 64;

/// Parses one field of `length` bytes at `p` when it is a short decimal: an optional '-', then
/// digits with at most one '.', at most 8 characters after the sign ("255", "-0.125",
/// "1234.567"). The float equals std::from_chars' (the digits, at most 8 of them, are an exact
/// integer and 10^decimals an exact float, so one rounding). False for anything else (blanks,
/// '+', exponents, longer numbers, text), which the caller parses the general way. Reads 8 bytes
/// from `p` whatever `length` is. Kept beside parse_float: without it scripts/bench_csv.py loads
/// its file 1.7x slower (docs/benchmarks.md).
bool parse_short_decimal(const char* p, std::size_t length, float& value);

/// Parses a row without its newline, [begin, end), when it has exactly `width` fields separated
/// by `delimiter`: the fields of columns flagged in `text_columns` (width flags, or null for
/// none) go to texts[c] as they are (unless quoted), every other field must be a number
/// (parse_short_decimal, else parse_float) and goes to cells[c]. False otherwise: the caller then
/// parses the row the general way (quotes, markers, other spellings, field counts), so this only
/// ever takes rows whose meaning is plain. Finds the delimiters 64 bytes at a time (AVX2 or SSE2
/// where the build has them), so [begin, end
/// + kRowScanPadding) must be readable.
bool scan_numeric_row(const char* begin,
                      const char* end,
                      char delimiter,
                      std::size_t width,
                      const unsigned char* text_columns,
                      float* cells,
                      std::string_view* texts);

/// Rows per tile of spread_tile.
inline constexpr std::size_t kTileRows = 8;

/// Copies `rows` (at most kTileRows) rows of `width` cells, stored row after row in `tile`, into
/// columns[c][first_row + r]: 8x8 blocks transposed in registers where the build has AVX2.
void spread_tile(const float* tile,
                 std::size_t rows,
                 std::size_t width,
                 float* const* columns,
                 std::size_t first_row);

}  // namespace dlctl
