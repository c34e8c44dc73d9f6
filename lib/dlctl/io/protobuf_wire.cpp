#include "dlctl/io/protobuf_wire.h"

#include <cstring>

#include "dlctl/core/error.h"

namespace dlctl {

void ProtoMessage::raw_varint(std::uint64_t value) {
    while (value >= 0x80) {
        out_.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
}

void ProtoMessage::key(int field, int wire_type) {
    DLCTL_CHECK(field > 0);
    raw_varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint64_t>(wire_type));
}

void ProtoMessage::little_endian(std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

ProtoMessage& ProtoMessage::varint(int field, std::uint64_t value) {
    key(field, 0);
    raw_varint(value);
    return *this;
}

ProtoMessage& ProtoMessage::float64(int field, double value) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    key(field, 1);
    little_endian(bits, 8);
    return *this;
}

ProtoMessage& ProtoMessage::float32(int field, float value) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    key(field, 5);
    little_endian(bits, 4);
    return *this;
}

ProtoMessage& ProtoMessage::bytes(int field, std::string_view value) {
    key(field, 2);
    raw_varint(value.size());
    out_.append(value);
    return *this;
}

}  // namespace dlctl
