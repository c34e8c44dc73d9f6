#pragma once

#include <cstdint>
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

/// Model tensors as the backend stores them (column-major), copied to the host with their
/// names: a checkpoint takes this quick copy on the training thread and lays it out for the file
/// on its writer thread, while training goes on.
struct TensorSnapshot {
    struct Entry {
        std::string name;
        std::int64_t rows = 0;
        std::int64_t cols = 0;
        std::vector<float> values;  ///< column-major
    };
    std::vector<Entry> entries;
};

/// Copies the weights (named as export_weights names them) and then each of `buffers` (named
/// `prefix + <weight name> + suffix`, slice by slice) into `out`. The value storage `out` holds
/// from an earlier snapshot of the same model is reused: a snapshot every epoch allocates no
/// tensor storage (only the names).
void take_snapshot(Backend& backend,
                   const Sequential& model,
                   const std::vector<ParameterShaped>& buffers,
                   TensorSnapshot& out);

/// `snapshot`'s tensors as sources of their rows in export_weights' layout (row-major, PyTorch's
/// shapes), for write_safetensors to stream to a file without another copy of the model. They
/// read `snapshot`'s storage, which must outlive them unchanged.
std::vector<TensorSource> file_layout(const TensorSnapshot& snapshot);

/// `snapshot`'s tensors in export_weights' layout into `out`, reusing the storage it has.
void lay_out(const TensorSnapshot& snapshot, std::vector<NamedTensor>& out);

/// Fills `buffers` from tensors named as take_snapshot names them. Throws IoError
/// listing every missing or mis-shaped tensor.
void import_parameter_shaped(Backend& backend,
                             const Sequential& model,
                             const ParameterShaped& buffers,
                             const std::vector<NamedTensor>& tensors,
                             const std::filesystem::path& source);

}  // namespace dlctl
