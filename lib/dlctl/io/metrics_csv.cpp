#include "dlctl/io/metrics_csv.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "dlctl/core/error.h"
#include "dlctl/io/atomic_file.h"

namespace dlctl {

std::string metrics_csv_line(const std::vector<std::string>& cells) {
    return fmt::format("{}\n", fmt::join(cells, ","));
}

std::optional<std::vector<std::vector<std::string>>> read_metrics_csv(
    const std::filesystem::path& path,
    const std::vector<std::string>& columns,
    std::uint64_t rows) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    if (!std::getline(in, line) || line + "\n" != metrics_csv_line(columns)) return std::nullopt;
    std::vector<std::vector<std::string>> out;
    while (out.size() < rows && std::getline(in, line)) {
        std::vector<std::string> cells;
        for (std::size_t start = 0;;) {
            const std::size_t comma = line.find(',', start);
            cells.push_back(line.substr(start, comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        if (cells.size() != columns.size()) return std::nullopt;
        out.push_back(std::move(cells));
    }
    if (out.size() < rows) return std::nullopt;
    return out;
}

MetricsCsvWriter::MetricsCsvWriter(const std::filesystem::path& path,
                                   std::vector<std::string> columns,
                                   const std::vector<std::vector<std::string>>& earlier_rows,
                                   bool replace)
    : path_(path), width_(columns.size()) {
    std::string start = metrics_csv_line(columns);
    for (const auto& row : earlier_rows) {
        DLCTL_CHECK(row.size() == width_);
        start += metrics_csv_line(row);
    }
    if (replace) write_file_atomic(path, start);
    file_ = std::fopen(path.c_str(), replace ? "a" : "wx");  // "wx": never replaces a file
    if (file_ == nullptr) {
        throw IoError("cannot create '" + path.string() + "': " + std::strerror(errno));
    }
    if (!replace) {
        fmt::print(file_, "{}", start);
        std::fflush(file_);
    }
}

MetricsCsvWriter::~MetricsCsvWriter() {
    if (file_ != nullptr) std::fclose(file_);
}

void MetricsCsvWriter::write_row(const std::vector<std::string>& cells) {
    DLCTL_CHECK(cells.size() == width_);
    const std::string line = metrics_csv_line(cells);
    std::fwrite(line.data(), 1, line.size(), file_);
    if (std::fflush(file_) != 0) {
        throw IoError("cannot write '" + path_.string() + "': " + std::strerror(errno));
    }
}

}  // namespace dlctl
