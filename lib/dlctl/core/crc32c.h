#pragma once

#include <cstdint>
#include <string_view>

namespace dlctl {

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `bytes`, continuing from `crc`: the
/// checksum of TFRecord files (TensorBoard's event files). crc32c("123456789") is 0xE3069283.
std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);

}  // namespace dlctl
