#include "dlctl/io/metrics_csv.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "dlctl/core/error.h"

namespace dlctl {

MetricsCsvWriter::MetricsCsvWriter(const std::filesystem::path& path,
                                   std::vector<std::string> columns)
    : path_(path), width_(columns.size()) {
    file_ = std::fopen(path.c_str(), "wx");  // never replaces an existing file
    if (file_ == nullptr) {
        throw IoError("cannot create '" + path.string() + "': " + std::strerror(errno));
    }
    fmt::print(file_, "{}\n", fmt::join(columns, ","));
    std::fflush(file_);
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
