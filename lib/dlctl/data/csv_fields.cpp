#include "dlctl/data/csv_fields.h"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace dlctl {

bool split_csv_fields(char* line, char delimiter, std::vector<std::string_view>& fields) {
    fields.clear();
    char* p = line;
    while (true) {
        if (*p == '"') {
            // Quoted field: copy down over doubled quotes.
            char* out = ++p;
            char* start = out;
            while (true) {
                if (*p == '\0') return false;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    ++p;
                    break;
                }
                *out++ = *p++;
            }
            fields.emplace_back(start, static_cast<std::size_t>(out - start));
            // Anything between the closing quote and the delimiter is kept verbatim.
            while (*p != '\0' && *p != delimiter) ++p;
        } else {
            char* start = p;
            while (*p != '\0' && *p != delimiter) ++p;
            fields.emplace_back(start, static_cast<std::size_t>(p - start));
        }
        if (*p == '\0') return true;
        ++p;  // skip the delimiter
    }
}

bool quoted_field_open_after(std::string_view line, char delimiter, bool open) {
    enum class At { kFieldStart, kUnquoted, kQuoted, kAfterQuote };
    At at = open ? At::kQuoted : At::kFieldStart;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        switch (at) {
            case At::kFieldStart:
                at = c == '"' ? At::kQuoted : c == delimiter ? At::kFieldStart : At::kUnquoted;
                break;
            case At::kUnquoted:
            case At::kAfterQuote:
                if (c == delimiter) at = At::kFieldStart;
                break;
            case At::kQuoted:
                if (c != '"') break;
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    ++i;  // a doubled quote stands for one
                } else {
                    at = At::kAfterQuote;
                }
                break;
        }
    }
    return at == At::kQuoted;
}

std::string_view trim_blanks(std::string_view field) {
    while (!field.empty() && (field.front() == ' ' || field.front() == '\t'))
        field.remove_prefix(1);
    while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
    return field;
}

bool parse_float(std::string_view field, float& value) {
    field = trim_blanks(field);
    if (!field.empty() && field.front() == '+') field.remove_prefix(1);
    if (field.empty()) return false;
    const char* last = field.data() + field.size();
    const auto [stop, ec] = fast_float::from_chars(field.data(), last, value);
    return ec == std::errc{} && stop == last && std::isfinite(value);
}

namespace {

/// For a number beyond double's range: whether it is too large (else too small: it underflows).
bool overflows(std::string_view number) {
    if (number.find("e-") != number.npos || number.find("E-") != number.npos) return false;
    if (!number.empty() && number.front() == '-') number.remove_prefix(1);
    const auto first = number.find_first_not_of('0');
    return first != number.npos && number[first] != '.' && number[first] != 'e' &&
           number[first] != 'E';
}

}  // namespace

bool outside_float32(std::string_view field) {
    field = trim_blanks(field);
    if (!field.empty() && field.front() == '+') field.remove_prefix(1);
    if (field.empty()) return false;
    double value = 0.0;
    const char* last = field.data() + field.size();
    const auto [stop, ec] = std::from_chars(field.data(), last, value);
    if (stop != last) return false;
    if (ec == std::errc::result_out_of_range) return overflows(field);
    return ec == std::errc{} &&
           (!std::isfinite(value) || std::fabs(value) > std::numeric_limits<float>::max());
}

std::optional<float> parse_boolean(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "true" || lower == "yes" || lower == "t" || lower == "y" || lower == "1") {
        return 1.0f;
    }
    if (lower == "false" || lower == "no" || lower == "f" || lower == "n" || lower == "0") {
        return 0.0f;
    }
    return std::nullopt;
}

}  // namespace dlctl
