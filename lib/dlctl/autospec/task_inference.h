#pragma once

#include <string>

#include "dlctl/data/table.h"

namespace dlctl {

/// What a target column asks for, and why (said in the log, so the user can override it).
struct TaskGuess {
    std::string task;    ///< binary | multiclass | regression
    int classes = 0;     ///< as target_classes: 0 regression, 1 binary, K multiclass
    std::string reason;  ///< e.g. "target 'y' holds 2 distinct values (no, yes)"
};

/// The task of column `target` of `table` (read as text, as read_data_table reads a
/// classification target), from its values (missing cells aside). `given` is data.task: auto
/// decides from the values; binary, multiclass or regression is taken as said, and checked to fit.
/// Two values make a binary task; text makes a multiclass task (at most 200 classes); integers with
/// 3 to 20 values a multiclass task; other numbers a regression. Throws DataError for a target
/// without two values, for too many text values, and for a few numbers that are not integers
/// (ambiguous), naming the choices and the override (data.task).
TaskGuess infer_task(const Table& table, int target, const std::string& given);

}  // namespace dlctl
