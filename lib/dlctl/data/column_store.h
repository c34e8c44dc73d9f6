#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "dlctl/data/column_source.h"
#include "dlctl/data/csv_reader.h"
#include "dlctl/data/table.h"
#include "dlctl/io/scratch_file.h"

namespace dlctl {

/// A CSV parsed once into a scratch file of row groups, for data larger than memory: each
/// window of rows is stored column after column (float32, as Table holds cells) followed by its
/// line numbers. It is read back one column, or one group of rows, at a time.
class ColumnStore final : public ColumnSource {
  public:
    /// Parses `csv` into `file` (deleted with the store) a window of about `window_bytes` at a
    /// time. Column types: those of `options.column_types`, the others inferred (as read_csv
    /// infers them) from the file's first window. A later cell that does not fit its column's
    /// type is a DataError naming its line and how to declare the type.
    static ColumnStore write(const std::filesystem::path& csv,
                             const CsvOptions& options,
                             const std::filesystem::path& file,
                             std::size_t window_bytes);

    const Table& header() const override { return header_; }
    std::size_t rows() const override { return rows_; }
    std::size_t groups() const { return groups_.size(); }
    /// The first row of group `g` (groups follow each other in file order).
    std::size_t group_first(std::size_t g) const { return groups_[g].first; }
    std::size_t group_rows(std::size_t g) const { return groups_[g].rows; }
    Column column(int c) const override;
    std::vector<std::uint32_t> lines() const override;
    /// Group `g` as a table: `columns` filled with their categories (the others empty), with
    /// their lines.
    Table group(std::size_t g, const std::vector<int>& columns) const;

  private:
    struct Group {
        std::size_t first = 0, rows = 0;
        std::uint64_t offset = 0;
    };
    /// Appends a window of rows (boolean columns still as their words' categories).
    void append(const Table& window);
    std::uint64_t column_offset(const Group& group, std::size_t c) const {
        return group.offset + c * group.rows * sizeof(float);
    }

    Table header_;
    /// Per boolean column, its categories' values (nullopt: not a boolean word).
    std::vector<std::vector<std::optional<float>>> boolean_of_;
    std::size_t rows_ = 0;
    std::uint64_t bytes_ = 0;
    std::vector<Group> groups_;
    ScratchFile file_;
};

}  // namespace dlctl
