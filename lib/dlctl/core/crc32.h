#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

namespace dlctl {

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of `bytes`, continuing from `crc`; equal
/// to Python's zlib.crc32(bytes, crc), so scripts can verify checksums dlctl writes.
std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0);

/// crc32 of a whole file's bytes, read in chunks; nullopt when it cannot be read.
std::optional<std::uint32_t> crc32_of_file(const std::filesystem::path& path);

}  // namespace dlctl
