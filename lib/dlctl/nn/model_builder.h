#pragma once

#include <limits>
#include <memory>
#include <vector>

#include "dlctl/config/spec.h"
#include "dlctl/nn/sequential.h"

namespace dlctl {

/// Builds the model a spec declares for `input_size` features. The last dense layer's activation
/// becomes the model's output activation (its layer emits logits), so losses can fuse it. Dense
/// layers without their own l1/l2 get `l1`/`l2` (train.regularization). `numeric_inputs`
/// (Preprocessor::numeric_inputs) says which inputs a periodic_embedding layer embeds (empty:
/// every input), and `category_inputs` (Preprocessor::category_inputs) which inputs are category
/// indices that a category_embedding layer embeds, with their vocabulary sizes (empty: none).
std::unique_ptr<Sequential> build_model(const ModelSpec& spec,
                                        std::int64_t input_size,
                                        double l1 = 0.0,
                                        double l2 = 0.0,
                                        const std::vector<bool>& numeric_inputs = {},
                                        const std::vector<std::int64_t>& category_inputs = {});

inline constexpr std::size_t kNoLayer = std::numeric_limits<std::size_t>::max();
/// For each layer of `spec`, the index in Sequential::layers() of the layer build_model makes of
/// it; kNoLayer for a last activation layer, which becomes the output activation.
std::vector<std::size_t> built_layers(const ModelSpec& spec);

}  // namespace dlctl
