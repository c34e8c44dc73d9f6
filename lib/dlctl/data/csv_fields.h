#pragma once

#include <string_view>
#include <vector>

namespace dlctl {

/// Splits one CSV line (without its newline) into fields, RFC 4180 style: a field may be quoted
/// with '"', a quoted field may contain the delimiter and doubled quotes ("" -> "). Quoted fields
/// are unescaped in place, so `line` must stay alive while `fields` is used. Returns false when a
/// quoted field is not closed on this line (a newline inside quotes is not supported).
bool split_csv_fields(char* line, char delimiter, std::vector<std::string_view>& fields);

/// Parses a whole field as a finite float32 (surrounding blanks allowed). False otherwise.
bool parse_float(std::string_view field, float& value);

}  // namespace dlctl
