#pragma once

#include <cstdint>

#include "dlctl/config/spec.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/first_rows.h"
#include "dlctl/parallel/communicator.h"

namespace dlctl {

/// prepare_data for data-parallel training where each rank reads only its part of the CSV
/// (data.rank_reads: part), with one process's result:
///   1. each rank reads its part of the file (read_rank_part: the column types from the file's
///      first rows, categories numbered across the ranks);
///   2. the ranks select, screen, split and fit on whole columns gathered from every rank one
///      at a time (RankColumns, fit_by_column), so every rank fits what one process fits;
///   3. each rank encodes the rows it read and sends each to the rank whose block (shard_rows)
///      of its split holds it.
/// Each split then has every row's targets and weights, and only this rank's block of features
/// (Dataset::features_first). data.validation_file and data.test_file are read whole by every
/// rank. Collective: every rank calls it; an error on any rank is every rank's RanksError.
/// `cv`: a cross-validation fold's run, as prepare_data's. `first_rows_bytes`: as
/// read_rank_part's (tests use fewer).
PreparedData prepare_data_on_ranks(const DataSpec& spec,
                                   std::uint64_t seed,
                                   int classes,
                                   Communicator& ranks,
                                   const CvSpec& cv = {},
                                   std::size_t first_rows_bytes = kFirstRowsBytes);

}  // namespace dlctl
