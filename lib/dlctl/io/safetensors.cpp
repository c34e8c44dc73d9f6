#include "dlctl/io/safetensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "dlctl/core/crc32.h"
#include "dlctl/core/error.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/io/staged_file.h"

namespace dlctl {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; big-endian hosts need byte swapping");

namespace {

using nlohmann::json;
constexpr std::uint64_t kMaxHeader = 100u << 20;  // the format's own limit is 100 MB

[[noreturn]] void corrupt(const std::string& name, const std::string& problem) {
    throw IoError("'" + name + "' is not a valid safetensors file: " + problem,
                  "the file may be truncated or not a weights file; re-create it");
}

std::string checksum_text(std::uint32_t crc) { return fmt::format("crc32:{:08x}", crc); }

constexpr std::string_view kChecksumKey = "\"checksum\":\"";
constexpr std::string_view kPlaceholder = "crc32:00000000";

/// Where the value of the `checksum` key starts in a file's first bytes (its 8-byte length and
/// header), or npos. The key-value follows the `{` or `,` that starts it: every other quote in a
/// key or value is escaped, so only a key can match, and a header holds one `checksum` key.
std::size_t checksum_value_at(std::string_view head) {
    for (std::size_t at = 8; (at = head.find(kChecksumKey, at)) != std::string_view::npos; ++at) {
        if (head[at - 1] == '{' || head[at - 1] == ',') return at + kChecksumKey.size();
    }
    return std::string_view::npos;
}

/// Checks the whole-file checksum `expected`, found at `value_at` in `bytes`.
void verify_checksum(const std::string& name,
                     std::string_view bytes,
                     std::size_t value_at,
                     const std::string& expected) {
    if (value_at == std::string_view::npos || bytes.substr(value_at, expected.size()) != expected ||
        expected.size() != kPlaceholder.size() || !expected.starts_with("crc32:")) {
        corrupt(name, "its checksum '" + expected +
                          "' is not a crc32:<8 hex digits> value "
                          "where dlctl writes it");
    }
    std::uint32_t crc = crc32(bytes.substr(0, value_at));
    crc = crc32(kPlaceholder, crc);
    crc = crc32(bytes.substr(value_at + kPlaceholder.size()), crc);
    if (checksum_text(crc) != expected) {
        corrupt(name, "the file does not match its checksum (" + expected + ", computed " +
                          checksum_text(crc) + "): it was changed or damaged after it was written");
    }
}

std::uint64_t element_count(const std::vector<std::int64_t>& shape) {
    std::uint64_t count = 1;
    for (const std::int64_t d : shape) count *= static_cast<std::uint64_t>(d);
    return count;
}

struct Extent {
    std::uint64_t begin, end;
    std::string tensor;
};

/// The tensors' bytes must tile the data section in some order, as the safetensors library
/// also demands: no byte outside a tensor, none in two (and, all being F32, each aligned).
void check_layout(const std::string& name, std::vector<Extent> extents, std::uint64_t data_size) {
    std::sort(extents.begin(), extents.end(), [](const Extent& a, const Extent& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t covered = 0;
    for (const Extent& e : extents) {
        if (e.begin != covered) {
            corrupt(name, fmt::format("tensor '{}' starts at byte {} of the data, where {} was "
                                      "expected: tensors overlap or leave a gap",
                                      e.tensor, e.begin, covered));
        }
        covered = e.end;
    }
    if (covered != data_size) {
        corrupt(name, fmt::format("the tensors cover {} of the {} data bytes", covered, data_size));
    }
}

/// The tensor `key` of the header, its bytes taken from `data`; its extent goes to `extents`.
NamedTensor read_tensor(const std::string& name,
                        const std::string& key,
                        const json& entry,
                        std::string_view data,
                        std::vector<Extent>& extents) {
    try {
        const std::string dtype = entry.at("dtype").get<std::string>();
        if (dtype != "F32") {
            corrupt(name, "tensor '" + key + "' has dtype " + dtype + "; only F32 is supported");
        }
        NamedTensor t{key, entry.at("shape").get<std::vector<std::int64_t>>(), {}};
        const auto offsets = entry.at("data_offsets").get<std::vector<std::uint64_t>>();
        // The element count, checked against the data so no product can overflow.
        std::uint64_t count = 1;
        const std::uint64_t max_count = data.size() / sizeof(float);
        for (const auto d : t.shape) {
            if (d < 0) corrupt(name, "tensor '" + key + "' has a negative dimension");
            const auto dim = static_cast<std::uint64_t>(d);
            if (dim != 0 && count > max_count / dim) {
                corrupt(name, "tensor '" + key + "' is larger than the file");
            }
            count *= dim;
        }
        if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data.size() ||
            offsets[1] - offsets[0] != count * sizeof(float)) {
            corrupt(name, "tensor '" + key +
                              "' has data offsets outside the file or not matching its shape");
        }
        extents.push_back({offsets[0], offsets[1], key});
        t.values.resize(count);
        if (count > 0) {  // an empty vector's data() may be null, which memcpy must not get
            std::memcpy(t.values.data(), data.data() + offsets[0], count * sizeof(float));
        }
        return t;
    } catch (const json::exception& e) {
        corrupt(name, "entry '" + key + "' lacks dtype, shape or data_offsets (" + e.what() + ")");
    }
}

std::string metadata_value(const json& header, const std::string& key) {
    const auto metadata = header.find("__metadata__");
    if (metadata == header.end() || !metadata->contains(key)) return {};
    return metadata->at(key).get<std::string>();
}

}  // namespace

bool reseal_checksum(std::string& bytes) {
    std::uint64_t length = 0;
    if (bytes.size() < 8) return false;
    std::memcpy(&length, bytes.data(), 8);
    const std::size_t at = checksum_value_at(std::string_view(bytes).substr(0, 8 + length));
    if (at == std::string_view::npos || at + kPlaceholder.size() > bytes.size()) return false;
    bytes.replace(at, kPlaceholder.size(), kPlaceholder);
    bytes.replace(at, kPlaceholder.size(), checksum_text(crc32(bytes)));
    return true;
}

std::int64_t TensorSource::row_count() const {
    const std::int64_t row = row_length();
    return row == 0 ? 0 : static_cast<std::int64_t>(element_count(shape)) / row;
}

std::vector<TensorSource> sources_of(const std::vector<NamedTensor>& tensors) {
    std::vector<TensorSource> sources;
    sources.reserve(tensors.size());
    for (const NamedTensor& t : tensors) {
        DLCTL_CHECK(element_count(t.shape) == t.values.size());
        TensorSource source{t.name, t.shape, {}};
        source.rows = [&t, row = source.row_length()](std::int64_t first, std::int64_t count,
                                                      float* out) {
            std::copy_n(t.values.data() + first * row, count * row, out);
        };
        sources.push_back(std::move(source));
    }
    return sources;
}

void write_safetensors(const std::filesystem::path& path,
                       const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    write_safetensors(path, sources_of(tensors), metadata);
}

void write_safetensors(const std::filesystem::path& path,
                       const std::vector<TensorSource>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    // The header carries the data's checksum: it is written with a placeholder checksum first,
    // and again with the real one (the same length) once the data is written.
    json header = json::object();
    header["__metadata__"] = metadata;
    header["__metadata__"]["checksum"] = checksum_text(0);
    std::uint64_t size = 0;
    for (const TensorSource& t : tensors) {
        const std::uint64_t bytes = element_count(t.shape) * sizeof(float);
        header[t.name] = {
            {"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {size, size + bytes}}};
        size += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned
    const std::uint64_t length = text.size();
    text.insert(0, reinterpret_cast<const char*>(&length), 8);
    size += text.size();
    const std::size_t checksum_at = checksum_value_at(text);
    DLCTL_CHECK(checksum_at != std::string::npos);

    StagedFileWriter file(path, size, text.size());
    file.append(text);
    // The checksum covers the whole file as written with the placeholder in its place.
    std::uint32_t checksum = crc32(text);
    std::vector<float> spill;  // a row that does not fit in what is left of the chunk
    for (const TensorSource& t : tensors) {
        const std::int64_t row = t.row_length(), rows = t.row_count();
        const std::size_t row_bytes = static_cast<std::size_t>(row) * sizeof(float);
        for (std::int64_t first = 0; first < rows;) {
            const std::span<char> room = file.room();
            const auto count =
                std::min(rows - first, static_cast<std::int64_t>(room.size() / row_bytes));
            if (count > 0) {
                t.rows(first, count, reinterpret_cast<float*>(room.data()));
                const std::size_t bytes = static_cast<std::size_t>(count) * row_bytes;
                checksum = crc32({room.data(), bytes}, checksum);
                file.advance(bytes);
                first += count;
            } else {
                spill.resize(static_cast<std::size_t>(row));
                t.rows(first, 1, spill.data());
                const std::string_view bytes(reinterpret_cast<const char*>(spill.data()),
                                             row_bytes);
                checksum = crc32(bytes, checksum);
                file.append(bytes);
                first += 1;
            }
        }
    }
    text.replace(checksum_at, kPlaceholder.size(), checksum_text(checksum));
    file.finish(text);
}

std::vector<NamedTensor> read_safetensors(const std::filesystem::path& path,
                                          std::map<std::string, std::string>* metadata) {
    const std::string bytes = read_whole_file(
        path, {"safetensors file", std::numeric_limits<std::uint64_t>::max(), false, ExitCode::kIo,
               "pass a checkpoint or weights file written by dlctl train"});
    return parse_safetensors(path.string(), bytes, metadata);
}

std::vector<NamedTensor> parse_safetensors(const std::string& name,
                                           std::string_view bytes,
                                           std::map<std::string, std::string>* metadata) {
    if (bytes.size() < 8) corrupt(name, "shorter than its 8-byte header length");
    std::uint64_t length = 0;
    std::memcpy(&length, bytes.data(), 8);
    if (length > kMaxHeader || length > bytes.size() - 8) {
        corrupt(name, "header length " + std::to_string(length) + " exceeds the file");
    }
    json header;
    try {
        header = json::parse(bytes.substr(8, length));
    } catch (const json::exception& e) {
        corrupt(name, std::string("header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) corrupt(name, "header is not a JSON object");
    const std::string_view data = bytes.substr(8 + length);
    const std::uint64_t data_size = data.size();

    std::vector<NamedTensor> tensors;
    std::vector<Extent> tensors_offsets;
    std::string expected_checksum, format;
    bool has_checksum = false;
    for (const auto& [key, entry] : header.items()) {
        if (key == "__metadata__") {
            if (!entry.is_object()) corrupt(name, "__metadata__ is not a JSON object");
            for (const auto& [meta_key, value] : entry.items()) {
                if (!value.is_string()) {
                    corrupt(name, "__metadata__ value '" + meta_key + "' is not a string");
                }
                if (metadata != nullptr) (*metadata)[meta_key] = value.get<std::string>();
            }
            has_checksum = entry.contains("checksum");
            if (has_checksum) expected_checksum = entry.at("checksum").get<std::string>();
            if (entry.contains("format")) format = entry.at("format").get<std::string>();
            continue;
        }
        tensors.push_back(read_tensor(name, key, entry, data, tensors_offsets));
    }
    check_layout(name, tensors_offsets, data_size);
    // After the offsets, so a truncated file is reported as truncated.
    if (format.starts_with("dlctl-") && metadata_value(header, "format_version") == "1") {
        throw IoError("'" + name +
                          "' has format version 1, whose checksum covers only the "
                          "tensor data; this dlctl reads version 2 (the whole file is checked)",
                      "re-create it with this dlctl, or use the dlctl version that wrote it");
    }
    if (has_checksum) {
        verify_checksum(name, bytes, checksum_value_at(bytes.substr(0, 8 + length)),
                        expected_checksum);
    } else if (format.starts_with("dlctl-")) {
        corrupt(name,
                "its metadata has no checksum, which every file dlctl writes has: the "
                "header was changed or damaged");
    }
    return tensors;
}

}  // namespace dlctl
