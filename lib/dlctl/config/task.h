#pragma once

#include "dlctl/config/spec.h"

namespace dlctl {

/// What the target of a spec holds, as prepare_data and the metrics expect it: 0 for regression,
/// 1 for binary labels 0/1 (binary_crossentropy), K for class indices 0..K-1
/// (categorical_crossentropy with a K-unit output).
int target_classes(const ExperimentSpec& spec);

}  // namespace dlctl
