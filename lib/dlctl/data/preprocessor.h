#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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

    /// The fitted state as JSON (method, and per feature its name, type, offset and scale), as
    /// checkpoints store it; from_json restores a Preprocessor that transforms identically (call
    /// the transform overload that takes the columns). from_json throws std::invalid_argument
    /// saying what is wrong with the text.
    std::string to_json() const;
    static Preprocessor from_json(std::string_view text);

    const std::vector<std::string>& feature_names() const { return feature_names_; }
    const std::vector<int>& feature_columns() const { return feature_columns_; }
    const std::vector<double>& offsets() const { return offset_; }
    const std::vector<double>& scales() const { return scale_; }
    const std::string& method() const { return method_; }

  private:
    std::string method_;
    std::vector<std::string> feature_names_;
    std::vector<int> feature_columns_;
    std::vector<double> offset_;
    std::vector<double> scale_;
};

}  // namespace dlctl
