#include "dlctl/io/tfrecord.h"

#include "dlctl/core/crc32c.h"

namespace dlctl {

namespace {

void append_little_endian(std::string& out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

}  // namespace

std::uint32_t masked_crc32c(std::string_view bytes) {
    const std::uint32_t crc = crc32c(bytes);
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

std::string tfrecord(std::string_view data) {
    std::string out;
    out.reserve(data.size() + 16);
    append_little_endian(out, data.size(), 8);
    append_little_endian(out, masked_crc32c(out), 4);
    out.append(data);
    append_little_endian(out, masked_crc32c(data), 4);
    return out;
}

}  // namespace dlctl
