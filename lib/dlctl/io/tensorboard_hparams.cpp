#include "dlctl/io/tensorboard_hparams.h"

#include "dlctl/io/protobuf_wire.h"

namespace dlctl {

namespace {

// Field numbers of tensorboard/compat/proto/summary.proto (Summary.Value, SummaryMetadata),
// tensor.proto and tensor_shape.proto.
constexpr int kValueTag = 1, kValueTensor = 8, kValueMetadata = 9;
constexpr int kMetadataPluginData = 1, kPluginName = 1, kPluginContent = 2;
constexpr int kTensorDtype = 1, kTensorShape = 2, kShapeDim = 2;
constexpr int kDtFloat = 1;
// tensorboard/plugins/hparams/plugin_data.proto and google/protobuf/struct.proto.
constexpr int kPluginDataStart = 3, kPluginDataEnd = 4;
constexpr int kStartHParams = 1, kStartTime = 5;
constexpr int kEndStatus = 1, kEndTime = 2;
constexpr int kMapKey = 1, kMapValue = 2;
constexpr int kNumberValue = 2, kStringValue = 3, kBoolValue = 4;

ProtoMessage protobuf_value(const HParam& hparam) {
    ProtoMessage value;
    if (const auto* number = std::get_if<double>(&hparam.value)) {
        value.float64(kNumberValue, *number);
    } else if (const auto* text = std::get_if<std::string>(&hparam.value)) {
        value.bytes(kStringValue, *text);
    } else {
        value.varint(kBoolValue, std::get<bool>(hparam.value) ? 1 : 0);
    }
    return value;
}

/// A Summary.Value of the hparams plugin: `plugin_data` (an HParamsPluginData, version 0, so
/// its version field is left out) in the metadata and an empty float tensor as the value, as
/// TensorBoard's own hparams summaries have.
std::string hparams_value(const char* tag, const ProtoMessage& plugin_data) {
    ProtoMessage plugin;
    plugin.bytes(kPluginName, "hparams").message(kPluginContent, plugin_data);
    ProtoMessage metadata;
    metadata.message(kMetadataPluginData, plugin);
    ProtoMessage shape;  // one dimension of size 0
    shape.message(kShapeDim, ProtoMessage());
    ProtoMessage tensor;
    tensor.varint(kTensorDtype, kDtFloat).message(kTensorShape, shape);
    ProtoMessage value;
    value.bytes(kValueTag, tag).message(kValueMetadata, metadata).message(kValueTensor, tensor);
    return value.encoded();
}

}  // namespace

std::string hparams_session_start_value(const std::vector<HParam>& hparams, double start_time) {
    ProtoMessage start;
    for (const HParam& hparam : hparams) {
        ProtoMessage entry;  // a map<string, Value> entry
        entry.bytes(kMapKey, hparam.name).message(kMapValue, protobuf_value(hparam));
        start.message(kStartHParams, entry);
    }
    start.float64(kStartTime, start_time);
    ProtoMessage plugin_data;
    plugin_data.message(kPluginDataStart, start);
    return hparams_value("_hparams_/session_start_info", plugin_data);
}

std::string hparams_session_end_value(SessionStatus status, double end_time) {
    ProtoMessage end;
    end.varint(kEndStatus, static_cast<std::uint64_t>(status)).float64(kEndTime, end_time);
    ProtoMessage plugin_data;
    plugin_data.message(kPluginDataEnd, end);
    return hparams_value("_hparams_/session_end_info", plugin_data);
}

}  // namespace dlctl
