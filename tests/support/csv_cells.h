#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dlctl::test {

/// The cells of a simple CSV text (no quoted commas), row by row.
std::vector<std::vector<std::string>> csv_cells(const std::string& text);

/// A metrics.csv without its last (wall-clock) column, for comparing runs.
std::string without_seconds(const std::filesystem::path& file);

}  // namespace dlctl::test
