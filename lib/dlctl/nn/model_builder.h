#pragma once

#include <memory>

#include "dlctl/config/spec.h"
#include "dlctl/nn/sequential.h"

namespace dlctl {

/// Builds the model a spec declares for `input_size` features. The last dense layer's activation
/// becomes the model's output activation (its layer emits logits), so losses can fuse it. Dense
/// layers without their own l1/l2 get `l1`/`l2` (train.regularization).
std::unique_ptr<Sequential> build_model(const ModelSpec& spec,
                                        std::int64_t input_size,
                                        double l1 = 0.0,
                                        double l2 = 0.0);

}  // namespace dlctl
