// libdlctl_onnx.so: an OnnxModelIr as ONNX's protobuf, checked and serialized. The only code of
// dlctl that links the ONNX library, loaded by `dlctl export` alone.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "dlctl/export/onnx_ir.h"

namespace dlctl {

namespace {

void to_proto(const OnnxAttribute& a, onnx::AttributeProto& p) {
    p.set_name(a.name);
    switch (a.kind) {
        case OnnxAttribute::Kind::kInt:
            p.set_type(onnx::AttributeProto::INT);
            p.set_i(a.i);
            break;
        case OnnxAttribute::Kind::kFloat:
            p.set_type(onnx::AttributeProto::FLOAT);
            p.set_f(a.f);
            break;
        case OnnxAttribute::Kind::kInts:
            p.set_type(onnx::AttributeProto::INTS);
            for (const auto v : a.ints) p.add_ints(v);
            break;
        case OnnxAttribute::Kind::kStrings:
            p.set_type(onnx::AttributeProto::STRINGS);
            for (const auto& v : a.strings) p.add_strings(v);
            break;
    }
}

void to_proto(const OnnxNode& n, onnx::NodeProto& p) {
    p.set_op_type(n.op);
    if (!n.domain.empty()) p.set_domain(n.domain);
    for (const auto& in : n.inputs) p.add_input(in);
    for (const auto& out : n.outputs) p.add_output(out);
    p.set_name(n.outputs.front());
    for (const auto& a : n.attributes) to_proto(a, *p.add_attribute());
}

void to_proto(const OnnxTensor& t, onnx::TensorProto& p) {
    p.set_name(t.name);
    p.set_data_type(static_cast<int>(t.type));
    for (const auto d : t.shape) p.add_dims(d);
    if (t.type == OnnxType::kString) {
        for (const auto& s : t.strings) p.add_string_data(s);
    } else {
        p.set_raw_data(t.raw);
    }
}

void to_proto(const OnnxValue& v, onnx::ValueInfoProto& p) {
    p.set_name(v.name);
    auto* tensor = p.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(static_cast<int>(v.type));
    for (const auto d : v.shape) {
        auto* dim = tensor->mutable_shape()->add_dim();
        if (d < 0) {
            dim->set_dim_param("N");
        } else {
            dim->set_dim_value(d);
        }
    }
}

void to_proto(const OnnxModelIr& m, onnx::ModelProto& p) {
    p.set_ir_version(8);  // the newest this ONNX library (1.12) writes; opsets 13 to 17
    p.set_producer_name("dlctl");
    p.set_producer_version(m.producer_version);
    p.set_doc_string(m.doc);
    auto* domain = p.add_opset_import();
    domain->set_domain("");
    domain->set_version(m.opset);
    auto* ml = p.add_opset_import();
    ml->set_domain("ai.onnx.ml");
    ml->set_version(m.ml_opset);
    for (const auto& [key, value] : m.metadata) {
        auto* prop = p.add_metadata_props();
        prop->set_key(key);
        prop->set_value(value);
    }
    onnx::GraphProto& g = *p.mutable_graph();
    g.set_name("dlctl");
    for (const auto& v : m.inputs) to_proto(v, *g.add_input());
    for (const auto& v : m.outputs) to_proto(v, *g.add_output());
    for (const auto& t : m.initializers) to_proto(t, *g.add_initializer());
    for (const auto& n : m.nodes) to_proto(n, *g.add_node());
}

}  // namespace

}  // namespace dlctl

extern "C" __attribute__((visibility("default"))) bool dlctl_write_onnx_v1(
    const dlctl::OnnxModelIr& model, std::string* bytes, std::string* error) {
    try {
        onnx::ModelProto proto;
        dlctl::to_proto(model, proto);
        onnx::checker::check_model(proto);
        onnx::shape_inference::InferShapes(proto);
        if (!proto.SerializeToString(bytes)) {
            *error = "protobuf could not serialize the model (over 2 GB?)";
            return false;
        }
        return true;
    } catch (const std::exception& e) {
        *error = e.what();
        return false;
    }
}
