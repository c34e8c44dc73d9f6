#pragma once

#include <string>
#include <vector>

#include "dlctl/config/spec.h"

namespace dlctl {

/// Where two resolved specs differ in what decides a model and its data (seed, data, model,
/// train.cv), one line per key: "model.layers.0.units: 32 in the checkpoint, 64 now". Empty when
/// a run of `current` can continue a run of `saved`.
std::vector<std::string> resume_differences(const ExperimentSpec& saved,
                                            const ExperimentSpec& current);

}  // namespace dlctl
