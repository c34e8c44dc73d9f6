#include "dlctl/io/safetensors.h"

#include <bit>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "dlctl/core/error.h"
#include "dlctl/io/atomic_file.h"

namespace dlctl {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; big-endian hosts need byte swapping");

namespace {

using nlohmann::json;
constexpr std::uint64_t kMaxHeader = 100u << 20;  // the format's own limit is 100 MB

[[noreturn]] void corrupt(const std::filesystem::path& path, const std::string& problem) {
    throw IoError("'" + path.string() + "' is not a valid safetensors file: " + problem,
                  "the file may be truncated or not a weights file; re-create it");
}

}  // namespace

void write_safetensors(const std::filesystem::path& path,
                       const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    json header = json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const NamedTensor& t : tensors) {
        const std::uint64_t bytes = t.values.size() * sizeof(float);
        header[t.name] = {
            {"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned
    const std::uint64_t length = text.size();
    std::string file(8, '\0');
    std::memcpy(file.data(), &length, 8);
    file += text;
    for (const NamedTensor& t : tensors) {
        file.append(reinterpret_cast<const char*>(t.values.data()),
                    t.values.size() * sizeof(float));
    }
    write_file_atomic(path, file);
}

std::vector<NamedTensor> read_safetensors(const std::filesystem::path& path,
                                          std::map<std::string, std::string>* metadata) {
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(path, ec);
    if (!in || ec)
        throw IoError("cannot open '" + path.string() + "': no such file or not readable");
    if (file_size < 8) corrupt(path, "shorter than its 8-byte header length");
    std::uint64_t length = 0;
    in.read(reinterpret_cast<char*>(&length), 8);
    if (length > kMaxHeader || length > file_size - 8) {
        corrupt(path, "header length " + std::to_string(length) + " exceeds the file");
    }
    std::string text(length, '\0');
    in.read(text.data(), static_cast<std::streamsize>(length));
    json header;
    try {
        header = json::parse(text);
    } catch (const json::exception& e) {
        corrupt(path, std::string("header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) corrupt(path, "header is not a JSON object");
    const std::uint64_t data_size = file_size - 8 - length;
    std::string data(data_size, '\0');
    in.read(data.data(), static_cast<std::streamsize>(data_size));
    if (!in) corrupt(path, "the file could not be read to its end");

    std::vector<NamedTensor> tensors;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (metadata != nullptr && entry.is_object()) {
                for (const auto& [key, value] : entry.items()) {
                    if (value.is_string()) (*metadata)[key] = value.get<std::string>();
                }
            }
            continue;
        }
        try {
            const std::string dtype = entry.at("dtype").get<std::string>();
            if (dtype != "F32") {
                corrupt(path,
                        "tensor '" + name + "' has dtype " + dtype + "; only F32 is supported");
            }
            NamedTensor t{name, entry.at("shape").get<std::vector<std::int64_t>>(), {}};
            const auto offsets = entry.at("data_offsets").get<std::vector<std::uint64_t>>();
            // The element count, checked against the data so no product can overflow.
            std::uint64_t count = 1;
            const std::uint64_t max_count = data_size / sizeof(float);
            for (const auto d : t.shape) {
                if (d < 0) corrupt(path, "tensor '" + name + "' has a negative dimension");
                const auto dim = static_cast<std::uint64_t>(d);
                if (dim != 0 && count > max_count / dim) {
                    corrupt(path, "tensor '" + name + "' is larger than the file");
                }
                count *= dim;
            }
            if (offsets.size() != 2 || offsets[0] > offsets[1] || offsets[1] > data_size ||
                offsets[1] - offsets[0] != count * sizeof(float)) {
                corrupt(path, "tensor '" + name +
                                  "' has data offsets outside the file or not matching its shape");
            }
            t.values.resize(count);
            std::memcpy(t.values.data(), data.data() + offsets[0], count * sizeof(float));
            tensors.push_back(std::move(t));
        } catch (const json::exception& e) {
            corrupt(path,
                    "entry '" + name + "' lacks dtype, shape or data_offsets (" + e.what() + ")");
        }
    }
    return tensors;
}

}  // namespace dlctl
