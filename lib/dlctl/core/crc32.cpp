#include "dlctl/core/crc32.h"

#include <zlib.h>

#include <fstream>
#include <string>

namespace dlctl {

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) {
    const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
    return static_cast<std::uint32_t>(::crc32_z(crc, p, bytes.size()));
}

std::optional<std::uint32_t> crc32_of_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::uint32_t crc = 0;
    std::string chunk(1 << 20, '\0');
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
        crc = crc32(std::string_view(chunk.data(), static_cast<std::size_t>(in.gcount())), crc);
    }
    if (in.bad()) return std::nullopt;
    return crc;
}

}  // namespace dlctl
