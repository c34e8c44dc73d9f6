#include "dlctl/io/safetensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "dlctl/core/crc32.h"
#include "dlctl/core/error.h"
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

std::uint64_t element_count(const std::vector<std::int64_t>& shape) {
    std::uint64_t count = 1;
    for (const std::int64_t d : shape) count *= static_cast<std::uint64_t>(d);
    return count;
}

}  // namespace

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
    // The checksum's key-value, after the `{` or `,` that starts it: every other quote in a key or
    // value is escaped, so this is the only place the text can be.
    const std::string checksum_key = "\"checksum\":\"";
    auto find_checksum = [&](std::size_t from) {
        std::size_t at = from;
        while ((at = text.find(checksum_key + checksum_text(0), at)) != std::string::npos) {
            if (text[at - 1] == '{' || text[at - 1] == ',') return at;
            ++at;
        }
        return at;
    };
    const std::size_t checksum_at = find_checksum(8);
    DLCTL_CHECK(checksum_at != std::string::npos &&
                find_checksum(checksum_at + 1) == std::string::npos);

    StagedFileWriter file(path, size, text.size());
    file.append(text);
    std::uint32_t checksum = 0;
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
    text.replace(checksum_at + checksum_key.size(), checksum_text(0).size(),
                 checksum_text(checksum));
    file.finish(text);
}

std::vector<NamedTensor> read_safetensors(const std::filesystem::path& path,
                                          std::map<std::string, std::string>* metadata) {
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec)) {
        throw IoError("cannot open '" + path.string() + "': no such file or not readable");
    }
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw IoError("cannot read '" + path.string() + "'");
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
    std::string expected_checksum;
    for (const auto& [key, entry] : header.items()) {
        if (key == "__metadata__") {
            if (!entry.is_object()) corrupt(name, "__metadata__ is not a JSON object");
            for (const auto& [meta_key, value] : entry.items()) {
                if (!value.is_string()) {
                    corrupt(name, "__metadata__ value '" + meta_key + "' is not a string");
                }
                if (metadata != nullptr) (*metadata)[meta_key] = value.get<std::string>();
            }
            const auto checksum = entry.find("checksum");
            if (checksum != entry.end()) expected_checksum = checksum->get<std::string>();
            continue;
        }
        try {
            const std::string dtype = entry.at("dtype").get<std::string>();
            if (dtype != "F32") {
                corrupt(name,
                        "tensor '" + key + "' has dtype " + dtype + "; only F32 is supported");
            }
            NamedTensor t{key, entry.at("shape").get<std::vector<std::int64_t>>(), {}};
            const auto offsets = entry.at("data_offsets").get<std::vector<std::uint64_t>>();
            // The element count, checked against the data so no product can overflow.
            std::uint64_t count = 1;
            const std::uint64_t max_count = data_size / sizeof(float);
            for (const auto d : t.shape) {
                if (d < 0) corrupt(name, "tensor '" + key + "' has a negative dimension");
                const auto dim = static_cast<std::uint64_t>(d);
                if (dim != 0 && count > max_count / dim) {
                    corrupt(name, "tensor '" + key + "' is larger than the file");
                }
                count *= dim;
            }
            if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size ||
                offsets[1] - offsets[0] != count * sizeof(float)) {
                corrupt(name, "tensor '" + key +
                                  "' has data offsets outside the file or not matching its shape");
            }
            t.values.resize(count);
            if (count > 0) {  // an empty vector's data() may be null, which memcpy must not get
                std::memcpy(t.values.data(), data.data() + offsets[0], count * sizeof(float));
            }
            tensors.push_back(std::move(t));
        } catch (const json::exception& e) {
            corrupt(name,
                    "entry '" + key + "' lacks dtype, shape or data_offsets (" + e.what() + ")");
        }
    }
    // After the offsets, so a truncated file is reported as truncated.
    if (expected_checksum.starts_with("crc32:")) {
        const std::string computed = checksum_text(crc32(data));
        if (computed != expected_checksum) {
            corrupt(name, "the tensor data does not match its checksum (" + expected_checksum +
                              ", computed " + computed + ")");
        }
    }
    return tensors;
}

}  // namespace dlctl
