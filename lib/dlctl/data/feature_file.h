#pragma once

#include <cstdint>
#include <filesystem>

#include "dlctl/io/scratch_file.h"

namespace dlctl {

/// The encoded features of a split kept on disk, for data larger than memory: row i's
/// n_features floats at i · n_features, written one run of rows at a time in any order and read
/// back likewise. The file is deleted with the object.
class FeatureFile {
  public:
    FeatureFile(const std::filesystem::path& path, std::int64_t n_features, std::int64_t rows);

    /// Rows [first, first + count) from `rows` (count × n_features floats).
    void write(std::int64_t first, std::int64_t count, const float* rows);
    /// Rows [first, first + count) into `rows`.
    void read(std::int64_t first, std::int64_t count, float* rows) const;
    std::int64_t n_features() const { return n_features_; }
    std::int64_t rows() const { return rows_; }

  private:
    std::uint64_t offset(std::int64_t row) const {
        return static_cast<std::uint64_t>(row * n_features_) * sizeof(float);
    }

    ScratchFile file_;
    std::int64_t n_features_ = 0;
    std::int64_t rows_ = 0;
};

}  // namespace dlctl
