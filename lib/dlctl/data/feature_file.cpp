#include "dlctl/data/feature_file.h"

#include "dlctl/core/error.h"

namespace dlctl {

FeatureFile::FeatureFile(const std::filesystem::path& path,
                         std::int64_t n_features,
                         std::int64_t rows)
    : file_(path), n_features_(n_features), rows_(rows) {}

void FeatureFile::write(std::int64_t first, std::int64_t count, const float* rows) {
    DLCTL_CHECK(first >= 0 && count >= 0 && first + count <= rows_);
    file_.write(offset(first), rows, static_cast<std::size_t>(offset(count)));
}

void FeatureFile::read(std::int64_t first, std::int64_t count, float* rows) const {
    DLCTL_CHECK(first >= 0 && count >= 0 && first + count <= rows_);
    file_.read(offset(first), rows, static_cast<std::size_t>(offset(count)));
}

}  // namespace dlctl
