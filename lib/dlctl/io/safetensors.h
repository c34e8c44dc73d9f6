#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
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
/// atomically. Readable by `safetensors.numpy.load_file` or a few lines of numpy. The metadata
/// gains `checksum`: "crc32:<8 hex digits>" of the whole file as it reads with
/// "crc32:00000000" in the checksum's place (see docs/checkpoints.md).
void write_safetensors(const std::filesystem::path& path,
                       const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata);

/// A tensor to write without holding its file layout in memory: `rows(first, count, out)` puts
/// rows [first, first + count) of its row-major values in `out`, a row being its last dimension
/// (a scalar is one row of one value).
struct TensorSource {
    std::string name;
    std::vector<std::int64_t> shape;
    std::function<void(std::int64_t first, std::int64_t count, float* out)> rows;

    std::int64_t row_length() const { return shape.empty() ? 1 : shape.back(); }
    std::int64_t row_count() const;
};

/// Sources that read `tensors`, which must outlive them.
std::vector<TensorSource> sources_of(const std::vector<NamedTensor>& tensors);

/// As above, from sources, streamed to the file through a 1 MiB chunk of memory (large files
/// bypass the page cache: see StagedFileWriter).
void write_safetensors(const std::filesystem::path& path,
                       const std::vector<TensorSource>& tensors,
                       const std::map<std::string, std::string>& metadata);

/// Reads every F32 tensor of a safetensors file, and its metadata into `metadata` when given.
/// Throws IoError naming the file and the problem for an unreadable or truncated file, a bad
/// header length, invalid JSON, non-string metadata, an unsupported dtype, offsets outside the
/// data or tensors that do not tile it, a file that does not match the `checksum` in its
/// metadata, or a file whose `format` says dlctl wrote it (`dlctl-…`) without a checksum.
/// Foreign files (no dlctl format) without a checksum are read unchecked.
std::vector<NamedTensor> read_safetensors(const std::filesystem::path& path,
                                          std::map<std::string, std::string>* metadata = nullptr);

/// As read_safetensors, from the bytes of a file in memory; `name` stands for it in messages.
std::vector<NamedTensor> parse_safetensors(const std::string& name,
                                           std::string_view bytes,
                                           std::map<std::string, std::string>* metadata = nullptr);

/// Rewrites the checksum in a safetensors file's bytes to match them (for tests and fuzzers
/// that change a file on purpose); false when the header has no checksum.
bool reseal_checksum(std::string& bytes);

}  // namespace dlctl
