#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dlctl/data/table.h"

namespace dlctl {

/// Feature scaling fitted on the training rows only: x' = (x - offset) / scale per feature.
class Preprocessor {
  public:
    /// `method` is standard (mean / population std), minmax (min / range) or none. A constant
    /// column gets scale 1 so it maps to 0 instead of dividing by zero.
    void fit(const Table& table,
             const std::vector<int>& feature_columns,
             const std::vector<std::uint32_t>& train_rows,
             const std::string& method);

    /// Writes the selected rows as a column-major features × rows float32 matrix into `out`.
    void transform(const Table& table,
                   const std::vector<std::uint32_t>& rows,
                   std::vector<float>& out) const;
    /// As above for another table whose feature columns are `columns` (same order as fitted).
    void transform(const Table& table,
                   const std::vector<int>& columns,
                   const std::vector<std::uint32_t>& rows,
                   std::vector<float>& out) const;

    const std::vector<int>& feature_columns() const { return feature_columns_; }
    const std::vector<double>& offsets() const { return offset_; }
    const std::vector<double>& scales() const { return scale_; }
    const std::string& method() const { return method_; }

  private:
    std::string method_;
    std::vector<int> feature_columns_;
    std::vector<double> offset_;
    std::vector<double> scale_;
};

}  // namespace dlctl
