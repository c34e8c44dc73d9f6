#include "support/csv_cells.h"

#include <sstream>

#include "support/temp_dir.h"

namespace dlctl::test {

std::vector<std::vector<std::string>> csv_cells(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> cells;
        std::istringstream fields(line);
        for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
        rows.push_back(cells);
    }
    return rows;
}

std::string without_seconds(const std::filesystem::path& file) {
    std::string kept;
    for (auto row : csv_cells(read_text(file))) {
        row.pop_back();
        for (const auto& cell : row) kept += cell + ",";
        kept += "\n";
    }
    return kept;
}

}  // namespace dlctl::test
