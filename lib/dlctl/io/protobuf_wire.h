#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dlctl {

/// One protocol buffer message in the wire format, built field by field in the order given.
/// Enough for the few messages dlctl writes (TensorBoard's events) without a protobuf library:
/// every field is written, defaults included, so oneof members set to 0 or false stay set.
class ProtoMessage {
  public:
    /// int32, int64, uint64, bool and enum fields: wire type 0 (a negative int64 cast to uint64
    /// is its ten-byte encoding).
    ProtoMessage& varint(int field, std::uint64_t value);
    /// double fields: wire type 1, little-endian IEEE 754.
    ProtoMessage& float64(int field, double value);
    /// float fields: wire type 5, little-endian IEEE 754.
    ProtoMessage& float32(int field, float value);
    /// string, bytes and embedded message fields: wire type 2, length first.
    ProtoMessage& bytes(int field, std::string_view value);
    ProtoMessage& message(int field, const ProtoMessage& value) {
        return bytes(field, value.encoded());
    }

    const std::string& encoded() const { return out_; }

  private:
    void key(int field, int wire_type);
    void raw_varint(std::uint64_t value);
    void little_endian(std::uint64_t value, int bytes);

    std::string out_;
};

}  // namespace dlctl
