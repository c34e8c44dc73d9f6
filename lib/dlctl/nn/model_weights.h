#pragma once

#include <filesystem>
#include <string>
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
/// Throws IoError listing every missing or mis-shaped tensor; other `layers.*` tensors are an
/// error too, so a weights file for another architecture is never half-loaded. Tensors outside
/// `layers.*` (a checkpoint's optimizer moments) are ignored.
void import_weights(Backend& backend,
                    Sequential& model,
                    const std::vector<NamedTensor>& tensors,
                    const std::filesystem::path& source);

/// Flat buffers laid out like the model's parameters (e.g. optimizer moments) and, optionally,
/// its state (a copy of the best weights), named `prefix + <export_weights name> + suffix`.
struct ParameterShaped {
    Tensor params;  ///< parameter_count() floats, or empty
    Tensor state;   ///< state().size() floats, or empty
    std::string prefix;
    std::string suffix;
};

/// The slices of `buffers` that correspond to each model tensor, named and shaped as it is.
std::vector<NamedTensor> export_parameter_shaped(Backend& backend,
                                                 const Sequential& model,
                                                 const ParameterShaped& buffers);

/// Fills `buffers` from tensors named as export_parameter_shaped names them. Throws IoError
/// listing every missing or mis-shaped tensor.
void import_parameter_shaped(Backend& backend,
                             const Sequential& model,
                             const ParameterShaped& buffers,
                             const std::vector<NamedTensor>& tensors,
                             const std::filesystem::path& source);

}  // namespace dlctl
