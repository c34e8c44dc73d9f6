#include "dlctl/io/metrics_csv.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "dlctl/core/error.h"
#include "dlctl/io/atomic_file.h"

namespace dlctl {

MetricsCsvWriter::MetricsCsvWriter(const std::filesystem::path& path,
                                   std::vector<std::string> columns,
                                   const std::vector<std::vector<std::string>>& earlier_rows,
                                   bool replace)
    : path_(path), width_(columns.size()) {
    std::string start = fmt::format("{}\n", fmt::join(columns, ","));
    for (const auto& row : earlier_rows) {
        DLCTL_CHECK(row.size() == width_);
        start += fmt::format("{}\n", fmt::join(row, ","));
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
    fmt::print(file_, "{}\n", fmt::join(cells, ","));
    if (std::fflush(file_) != 0) {
        throw IoError("cannot write '" + path_.string() + "': " + std::strerror(errno));
    }
}

}  // namespace dlctl
