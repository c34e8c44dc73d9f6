#pragma once

#include <cstdint>

#include "dlctl/config/spec.h"
#include "dlctl/data/column_source.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/prepare_steps.h"

namespace dlctl::prepare {

/// What fit_by_column chose: the columns, and the targets and rows to encode.
struct Fitted {
    Columns columns;
    Rows rows;
};

/// prepare_data's steps from a table to the fitted preprocessor, reading `source` one column at
/// a time: columns selected and screened, labels and weights checked, the rows to keep, the
/// split (a cross-validation fold's with `cv`, as prepare_data's) and the fit on the training
/// rows (each statistic a single column's, so the fit is prepare_data's). Fills `data` but for
/// the encoded splits: `data.table` is the source's header.
Fitted fit_by_column(const DataSpec& spec,
                     std::uint64_t seed,
                     int classes,
                     const ColumnSource& source,
                     PreparedData& data,
                     const CvSpec& cv = {});

}  // namespace dlctl::prepare
