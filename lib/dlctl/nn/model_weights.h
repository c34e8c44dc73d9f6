#pragma once

#include <filesystem>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/io/safetensors.h"
#include "dlctl/nn/sequential.h"

namespace dlctl {

/// The model's parameters and state as named tensors in PyTorch's layout, so numpy and
/// torch read them directly: `layers.<i>.<type>.<name>` with i the layer's index in the spec,
/// e.g. `layers.0.dense.weight` of shape [units, inputs], `layers.0.dense.bias` [units],
/// `layers.1.batch_norm.running_var` [features].
std::vector<NamedTensor> export_weights(Backend& backend, const Sequential& model);

/// Overwrites the model's parameters and state with tensors named as export_weights names them.
/// Throws IoError listing every missing or mis-shaped tensor; tensors the model lacks are an
/// error too, so a weights file for another architecture is never half-loaded.
void import_weights(Backend& backend,
                    Sequential& model,
                    const std::vector<NamedTensor>& tensors,
                    const std::filesystem::path& source);

}  // namespace dlctl
