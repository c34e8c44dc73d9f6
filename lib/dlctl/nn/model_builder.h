#pragma once

#include <limits>
#include <memory>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/core/input_kind.h"
#include "dlctl/nn/sequential.h"

namespace dlctl {

/// Builds the model a spec declares for `input_size` features. The last dense layer's activation
/// becomes the model's output activation (its layer emits logits), so losses can fuse it. Dense
/// layers without their own l1/l2 get `l1`/`l2` (train.regularization). `input_kinds`
/// (Preprocessor::input_kinds) says what each input holds, for the input embedding layers; empty:
/// every input is a number.
std::unique_ptr<Sequential> build_model(const ModelSpec& spec,
                                        std::int64_t input_size,
                                        double l1 = 0.0,
                                        double l2 = 0.0,
                                        const InputKinds& input_kinds = {});

inline constexpr std::size_t kNoLayer = std::numeric_limits<std::size_t>::max();
/// For each layer of `spec`, the index in Sequential::layers() of the layer build_model makes of
/// it; kNoLayer for a last activation layer, which becomes the output activation.
std::vector<std::size_t> built_layers(const ModelSpec& spec);

}  // namespace dlctl
