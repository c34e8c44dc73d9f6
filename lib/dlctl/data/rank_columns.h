#pragma once

#include <cstdint>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/data/column_source.h"
#include "dlctl/data/csv_reader.h"
#include "dlctl/data/first_rows.h"
#include "dlctl/parallel/communicator.h"

namespace dlctl {

/// This rank's part of the CSV of `spec` (cut_csv's part `ranks.rank()`), read as every rank
/// reads its own: each column's type from the file's first `first_rows_bytes` (read_first_rows,
/// on rank 0; boolean words as 1/0), lines numbered as in the file, categories numbered as one
/// process numbers them (in order of first appearance in the file: rank 0's, then rank 1's new
/// ones, …). Collective: every rank calls it; an error on any rank is every rank's RanksError.
Table read_rank_part(const DataSpec& spec,
                     const CsvOptions& options,
                     Communicator& ranks,
                     std::size_t first_rows_bytes = kFirstRowsBytes);

/// Each rank's `value`, in rank order (exact up to 2^53).
std::vector<std::uint64_t> value_of_every_rank(Communicator& ranks, std::uint64_t value);

/// The table whose rows are every rank's part in rank order (the whole file), a column at a
/// time gathered from the ranks: prepare_data's column-by-column steps (fit_by_column) see what
/// one process reading the whole file sees. Every rank must read the same columns in the same
/// order (each read is a collective).
class RankColumns final : public ColumnSource {
  public:
    /// `part`: this rank's rows as read_rank_part reads them; kept by reference.
    RankColumns(const Table& part, Communicator& ranks);
    RankColumns(Table&& part, Communicator& ranks) = delete;

    const Table& header() const override { return header_; }
    std::size_t rows() const override { return rows_; }
    Column column(int c) const override;
    std::vector<std::uint32_t> lines() const override;

    /// The whole table's row of this rank's first row (the rows before it, on lower ranks).
    std::size_t first_row() const { return row_offsets_[ranks_->rank()]; }
    /// The rank whose part holds row `row` of the whole table.
    int rank_of_row(std::size_t row) const;

  private:
    const Table& part_;
    Communicator* ranks_;
    Table header_;
    std::vector<std::size_t> row_offsets_;  ///< per rank its first row; then the total
    std::size_t rows_ = 0;
};

}  // namespace dlctl
