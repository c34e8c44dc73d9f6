#pragma once

#include <string>

#include "dlctl/train/experiment.h"

namespace dlctl {

/// The ExperimentOptions of `dlctl train --run-dir RUN_DIR --resume RESUME` (either may be
/// empty): the checkpoint to continue from ("auto": RUN_DIR's checkpoints/last.safetensors, or a
/// fresh start when there is none yet) and whether the run continues in place, in the run
/// directory the checkpoint belongs to (RUN_DIR/checkpoints/FILE) or, without a checkpoint, in
/// an earlier attempt's directory. UsageError for "auto" without a run directory.
ExperimentOptions resume_options(const std::string& run_dir, const std::string& resume);

}  // namespace dlctl
