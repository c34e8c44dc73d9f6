#include "dlctl/export/onnx_model.h"

#include <fmt/format.h>

#include <map>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/export/onnx_activation.h"
#include "dlctl/export/onnx_embeddings.h"

namespace dlctl {

namespace {

/// A layer's tensors, `layers.<i>.<type>.<name>`.
class LayerTensors {
  public:
    LayerTensors(const Checkpoint& c, std::size_t layer) : checkpoint_(c) {
        prefix_ = fmt::format("layers.{}.{}.", layer, c.spec.model.layers[layer].type);
    }
    bool has(const std::string& name) const { return find(name) != nullptr; }
    const NamedTensor& at(const std::string& name) const {
        const NamedTensor* t = find(name);
        if (t == nullptr) throw IoError("the checkpoint has no tensor " + prefix_ + name);
        return *t;
    }

  private:
    const NamedTensor* find(const std::string& name) const {
        for (const auto& t : checkpoint_.tensors) {
            if (t.name == prefix_ + name) return &t;
        }
        return nullptr;
    }
    const Checkpoint& checkpoint_;
    std::string prefix_;
};

/// The value flowing through the layers: [N, features], or [N, members, features] inside an
/// ensemble; `kinds` says what each feature holds before the embedding layers.
struct Flow {
    std::string x;
    std::int64_t width = 0;
    std::int64_t members = 0;  ///< 0 outside an ensemble
    InputKinds kinds;
};

std::string plain_dense(OnnxGraph& g, const Flow& f, const LayerTensors& t, std::int64_t units) {
    const NamedTensor& w = t.at("weight");
    const std::string weight = g.weights("dense_weight", w.shape, w.values, 0);
    if (f.members == 0) {
        std::vector<std::string> inputs = {f.x, weight};
        if (t.has("bias")) inputs.push_back(g.floats("dense_bias", {units}, t.at("bias").values));
        return g.node("Gemm", inputs, {int_attribute("transB", 1)});
    }
    std::string y = g.node("MatMul", {f.x, g.weights("dense_weight_t", {w.shape[1], units},
                                                     transposed(w.values, units, w.shape[1]), 1)});
    if (t.has("bias")) y = g.node("Add", {y, g.floats("dense_bias", {units}, t.at("bias").values)});
    return y;
}

/// BatchEnsemble: ((x ⊙ r_m) W^T) ⊙ s_m + b_m, for [N, members, inputs].
std::string batch_dense(OnnxGraph& g, const Flow& f, const LayerTensors& t, std::int64_t units) {
    const std::int64_t m = f.members, in = f.width;
    const NamedTensor& w = t.at("weight");
    const std::string scaled = g.node(
        "Mul",
        {f.x, g.floats("input_scale", {m, in}, transposed(t.at("input_scale").values, in, m))});
    std::string y = g.node("MatMul", {scaled, g.weights("dense_weight_t", {in, units},
                                                        transposed(w.values, units, in), 1)});
    y = g.node("Mul", {y, g.floats("output_scale", {m, units},
                                   transposed(t.at("output_scale").values, units, m))});
    if (t.has("bias")) {
        y = g.node("Add", {y, g.floats("dense_bias", {m, units},
                                       transposed(t.at("bias").values, units, m))});
    }
    return y;
}

/// Each member its own matrix: w [units, members · inputs], member m's in columns m · inputs on.
std::string independent_dense(OnnxGraph& g,
                              const Flow& f,
                              const LayerTensors& t,
                              std::int64_t units) {
    const std::int64_t m = f.members, in = f.width;
    const std::vector<float>& w = t.at("weight").values;
    std::vector<float> per_member(static_cast<std::size_t>(m * in * units));
    for (std::int64_t k = 0; k < m; ++k) {
        for (std::int64_t i = 0; i < in; ++i) {
            for (std::int64_t u = 0; u < units; ++u) {
                per_member[static_cast<std::size_t>((k * in + i) * units + u)] =
                    w[static_cast<std::size_t>(u * m * in + k * in + i)];
            }
        }
    }
    const std::string by_member = g.node("Transpose", {f.x}, {ints_attribute("perm", {1, 0, 2})});
    std::string y =
        g.node("MatMul", {by_member, g.weights("member_weights", {m, in, units}, per_member, 2)});
    y = g.node("Transpose", {y}, {ints_attribute("perm", {1, 0, 2})});
    if (t.has("bias")) {
        y = g.node("Add", {y, g.floats("dense_bias", {m, units},
                                       transposed(t.at("bias").values, units, m))});
    }
    return y;
}

std::string dense(OnnxGraph& g, const Flow& f, const LayerSpec& s, const LayerTensors& t) {
    const auto units = static_cast<std::int64_t>(s.units);
    if (s.ensemble == "batch") return batch_dense(g, f, t, units);
    if (s.ensemble == "independent") return independent_dense(g, f, t, units);
    return plain_dense(g, f, t, units);
}

/// [N, features] → [N, members, features], each member's copy scaled by its own weights.
std::string ensemble_input(OnnxGraph& g, const Flow& f, const LayerSpec& s, const LayerTensors& t) {
    const std::int64_t m = s.members, in = f.width;
    const std::string x = g.node("Unsqueeze", {f.x, g.int64s("axes", {1}, {1})});
    if (s.scale) {
        return g.node(
            "Mul", {x, g.floats("member_scale", {m, in}, transposed(t.at("scale").values, in, m))});
    }
    return g.node("Expand", {x, g.int64s("members", {3}, {1, m, 1})});
}

/// y = (x - mean) / √(var + eps) · weight + bias, as one scale and shift a feature.
std::string batch_norm(OnnxGraph& g, const Flow& f, const LayerSpec& s, const LayerTensors& t) {
    const auto& mean = t.at("running_mean").values;
    const auto& var = t.at("running_var").values;
    const auto& weight = t.at("weight").values;
    const auto& bias = t.at("bias").values;
    std::vector<float> scale(mean.size()), shift(mean.size());
    for (std::size_t i = 0; i < mean.size(); ++i) {
        const double a = weight[i] / std::sqrt(static_cast<double>(var[i]) + s.eps);
        scale[i] = static_cast<float>(a);
        shift[i] = static_cast<float>(bias[i] - mean[i] * a);
    }
    const std::vector<std::int64_t> shape = {f.width};
    return g.node("Add", {g.node("Mul", {f.x, g.floats("bn_scale", shape, scale)}),
                          g.floats("bn_shift", shape, shift)});
}

std::string layer_norm(OnnxGraph& g, const Flow& f, const LayerSpec& s, const LayerTensors& t) {
    const std::vector<std::int64_t> shape = {f.width};
    const std::string weight = g.floats("ln_weight", shape, t.at("weight").values);
    const std::string bias = g.floats("ln_bias", shape, t.at("bias").values);
    const auto eps = static_cast<float>(s.eps);
    if (g.opset() >= 17) {
        return g.node("LayerNormalization", {f.x, weight, bias},
                      {int_attribute("axis", -1), float_attribute("epsilon", eps)});
    }
    auto mean = [&](const std::string& v) {
        return g.node("ReduceMean", {v},
                      {ints_attribute("axes", {-1}), int_attribute("keepdims", 1)});
    };
    const std::string centred = g.node("Sub", {f.x, mean(f.x)});
    const std::string variance = mean(g.node("Mul", {centred, centred}));
    const std::string deviation =
        g.node("Sqrt", {g.node("Add", {variance, g.scalar("epsilon", eps, false)})});
    return g.node("Add", {g.node("Mul", {g.node("Div", {centred, deviation}), weight}), bias});
}

/// An activation layer, or a parametric one: x + mix ⊙ (act(x) - x).
std::string activation(OnnxGraph& g, const Flow& f, const LayerSpec& s, const LayerTensors& t) {
    const std::string y = emit_activation(g, f.x, parse_activation(s.activation, s.alpha));
    if (!s.parametric) return y;
    const std::string mix = g.floats("mix", {f.width}, t.at("mix").values);
    return g.node("Add", {f.x, g.node("Mul", {mix, g.node("Sub", {y, f.x})})});
}

/// The logits `x` divided by the temperature of a calibrated checkpoint `c` when layer `i` is
/// the last, whose activation is the output activation (as Predictor::predict divides them).
std::string tempered(OnnxGraph& g, const Checkpoint& c, std::size_t i, const std::string& x) {
    if (!c.calibration || i + 1 != c.spec.model.layers.size()) return x;
    return g.node("Div", {x, g.scalar("temperature", c.calibration->temperature, false)});
}

/// `f` through layer `i` of `c`'s model.
void emit_layer(OnnxGraph& g, const Checkpoint& c, std::size_t i, Flow& f) {
    const LayerSpec& s = c.spec.model.layers[i];
    const LayerTensors t(c, i);
    if (s.type == "dense") {
        f.x = tempered(g, c, i, dense(g, f, s, t));
        f.width = s.units;
        f.x = emit_activation(g, f.x, parse_activation(s.activation, s.alpha));
    } else if (s.type == "activation") {
        f.x = tempered(g, c, i, f.x);
        f.x = activation(g, f, s, t);
    } else if (s.type == "dropout") {
        return;  // the identity at inference
    } else if (s.type == "batch_norm") {
        f.x = batch_norm(g, f, s, t);
    } else if (s.type == "layer_norm") {
        f.x = layer_norm(g, f, s, t);
    } else if (s.type == "scale") {
        f.x = g.node("Mul", {f.x, g.floats("scale", {f.width}, t.at("weight").values)});
    } else if (s.type == "ensemble") {
        f.x = ensemble_input(g, f, s, t);
        f.members = s.members;
    } else if (s.type == "periodic_embedding" || s.type == "category_embedding" ||
               s.type == "bin_embedding") {
        Embedded e = emit_embedding(
            g, f.x, f.width, f.kinds, s,
            [&](const std::string& name) -> const NamedTensor& { return t.at(name); });
        f.x = e.x;
        f.width = e.width;
        f.kinds = std::move(e.kinds);
    } else {
        throw UnsupportedError(
            fmt::format("exporting layer {} (type '{}') to ONNX", i, s.type),
            "export the model's layers ONNX can express, or use dlctl predict for this model");
    }
}

}  // namespace

std::string emit_model(OnnxGraph& g, const Checkpoint& checkpoint, const std::string& features) {
    Flow f{features, checkpoint.preprocessor.width(), 0, checkpoint.preprocessor.input_kinds()};
    for (std::size_t i = 0; i < checkpoint.spec.model.layers.size(); ++i) {
        emit_layer(g, checkpoint, i, f);
    }
    if (f.members == 0) return f.x;
    return g.node("ReduceMean", {f.x}, {ints_attribute("axes", {1}), int_attribute("keepdims", 0)});
}

}  // namespace dlctl
