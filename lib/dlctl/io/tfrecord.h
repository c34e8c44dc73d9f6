#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dlctl {

/// The masked CRC-32C of TFRecord framing: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
std::uint32_t masked_crc32c(std::string_view bytes);

/// `data` framed as one TFRecord: its length (uint64, little-endian), the masked CRC-32C of those
/// 8 bytes (uint32), the data, and the masked CRC-32C of the data (uint32). Event files are a
/// sequence of such records.
std::string tfrecord(std::string_view data);

}  // namespace dlctl
