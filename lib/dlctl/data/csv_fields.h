#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace dlctl {

/// Splits one CSV line (without its newline) into fields, RFC 4180 style: a field may be quoted
/// with '"', a quoted field may contain the delimiter and doubled quotes ("" -> "). Quoted fields
/// are unescaped in place, so `line` must stay alive while `fields` is used. A row whose quoted
/// field holds newlines is passed whole, newlines included (see quoted_field_open_after).
/// Returns false when a quoted field is not closed by the end of `line`.
bool split_csv_fields(char* line, char delimiter, std::vector<std::string_view>& fields);

/// Whether a quoted field is still open at the end of `line`, which starts inside one when
/// `open`: then the row goes on over the next line (RFC 4180 allows newlines in quoted fields).
/// A quote opens a field only as its first character, as split_csv_fields reads it.
bool quoted_field_open_after(std::string_view line, char delimiter, bool open);

/// 1 or 0 for a boolean word (true/false, yes/no, t/f, y/n in any case, 1/0), nullopt
/// otherwise.
std::optional<float> parse_boolean(std::string_view text);

/// `field` without surrounding blanks (spaces and tabs).
std::string_view trim_blanks(std::string_view field);

/// Parses a whole field as a finite float32 (surrounding blanks allowed). False otherwise.
/// Magnitudes below float32's smallest round to it or to 0, as IEEE rounding does.
bool parse_float(std::string_view field, float& value);

/// Whether `field` is written as a number that float32 cannot hold: inf, nan, or a magnitude
/// above 3.4e38 (1e39, 1e400, a 5000-digit integer). Such a cell is an error in a numeric
/// column, never a reason to read the column as text.
bool outside_float32(std::string_view field);

}  // namespace dlctl
