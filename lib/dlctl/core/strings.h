#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlctl {

/// Levenshtein distance between two strings (ASCII, case-sensitive).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is a plausible typo of it, else an empty string.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" when a close candidate exists, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// The finite number that is the whole of `text` (std::from_chars syntax), else nothing.
std::optional<double> parse_number(std::string_view text);

/// "a, b, c" with each item quoted: "'a', 'b', 'c'".
std::string quoted_list(const std::vector<std::string>& items);

/// `text` as a YAML double-quoted scalar ('"' and '\' escaped, control characters as \xNN),
/// for specs and overrides made from user input such as file names.
std::string yaml_quoted(std::string_view text);

}  // namespace dlctl
