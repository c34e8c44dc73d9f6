#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace dlctl {

/// A float32 tensor as stored in a safetensors file: row-major values of `shape`.
struct NamedTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};

/// Writes tensors and string metadata in the safetensors format (8-byte little-endian header
/// length, JSON header with dtype/shape/data_offsets and `__metadata__`, raw little-endian data),
/// atomically. Readable by `safetensors.numpy.load_file` or a few lines of numpy.
void write_safetensors(const std::filesystem::path& path,
                       const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata);

/// Reads every F32 tensor of a safetensors file, and its metadata into `metadata` when given.
/// Throws IoError naming the file and the problem for an unreadable or truncated file, a bad
/// header length, invalid JSON, an unsupported dtype, or offsets outside the data.
std::vector<NamedTensor> read_safetensors(const std::filesystem::path& path,
                                          std::map<std::string, std::string>* metadata = nullptr);

}  // namespace dlctl
