#pragma once

#include "dlctl/train/experiment.h"

namespace dlctl {

/// k-fold cross-validation (train.cv.folds = K, no fold named). Trains K runs, fold i's in
/// RUN/folds/fold-i: a complete run whose config.yaml says train.cv.fold: i (so it can be
/// repeated, resumed or evaluated alone), trained on the other folds' rows and validated on its
/// own. Then it writes into RUN:
/// - checkpoints/ensemble.json: each fold's best checkpoint, for `eval` and `predict`;
/// - summary.json: the out-of-fold metrics (each row outside the test split predicted by the
///   fold model that did not train on it), every fold's, and the ensemble's on the test rows;
/// - config.yaml and train.log (the folds' logs too).
/// `--run-dir RUN --resume auto` (options.in_place) keeps the completed folds and continues the
/// others from their last checkpoints; train.time_limit is shared out over the folds left. The
/// first fold's inputs are checked before RUN is created.
ExperimentResult run_cross_validation(const ExperimentSpec& spec, const ExperimentOptions& options);

}  // namespace dlctl
