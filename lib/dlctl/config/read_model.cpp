#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>

#include "dlctl/config/spec_reader.h"

namespace dlctl::spec_detail {

namespace {

bool positive(int v) { return v > 0; }
bool fraction(double v) { return v >= 0.0 && v < 1.0; }
bool non_negative(double v) { return v >= 0.0 && std::isfinite(v); }
bool positive_number(double v) { return v > 0.0 && std::isfinite(v); }
bool ensemble_size(int v) { return v >= 1 && v <= 1024; }
bool embedding_frequencies(int v) { return v >= 1 && v <= 1024; }

/// `activation` and its `alpha` (leaky_relu, elu), shared by dense and activation layers.
void read_activation(SpecReader& r,
                     const YAML::Node& node,
                     const std::string& path,
                     LayerSpec& layer,
                     bool required) {
    if (required && !node["activation"].IsDefined()) {
        r.problem(path + ".activation", node, "missing required key (e.g. relu)");
        return;
    }
    r.read(node, "activation", path, layer.activation);
    r.check_choice(layer.activation, vocabulary::activations(), "activation", path + ".activation",
                   node["activation"].IsDefined() ? node["activation"] : node);
    layer.alpha = default_alpha(layer.activation);
    if (node["alpha"].IsDefined()) {
        if (!takes_alpha(layer.activation)) {
            r.problem(path + ".alpha", node["alpha"],
                      "alpha applies only to leaky_relu and elu, not '" + layer.activation + "'");
        } else {
            r.read_checked(node, "alpha", path, layer.alpha, non_negative, "a number >= 0");
        }
    }
}

void read_lr_scale(SpecReader& r, const YAML::Node& node, const std::string& path, double& value) {
    r.read_checked(node, "lr_scale", path, value, non_negative, "a number >= 0 (0: frozen)");
}

void read_dense(SpecReader& r, const YAML::Node& node, const std::string& path, LayerSpec& layer) {
    r.check_keys(node, path,
                 {"type", "units", "activation", "alpha", "use_bias", "init", "l1", "l2",
                  "ensemble", "lr_scale", "bias_lr_scale"});
    if (!node["units"].IsDefined()) {
        r.problem(path + ".units", node, "missing required key (number of outputs)");
    } else {
        r.read_checked(node, "units", path, layer.units, positive, "a positive integer");
    }
    read_activation(r, node, path, layer, false);
    r.read(node, "use_bias", path, layer.use_bias);
    if (r.read(node, "init", path, layer.init) && layer.init != "auto") {
        r.check_choice(layer.init, vocabulary::initializers(), "initializer", path + ".init",
                       node["init"]);
    }
    r.read_checked(node, "l1", path, layer.l1, non_negative, "a number >= 0");
    r.read_checked(node, "l2", path, layer.l2, non_negative, "a number >= 0");
    if (r.read(node, "ensemble", path, layer.ensemble)) {
        r.check_choice(layer.ensemble, vocabulary::ensemble_modes(), "ensemble mode",
                       path + ".ensemble", node["ensemble"]);
    }
    read_lr_scale(r, node, path, layer.lr_scale);
    r.read_checked(node, "bias_lr_scale", path, layer.bias_lr_scale, non_negative,
                   "a number >= 0 (0: frozen)");
}

void read_activation_layer(SpecReader& r,
                           const YAML::Node& node,
                           const std::string& path,
                           LayerSpec& layer) {
    r.check_keys(node, path, {"type", "activation", "alpha", "parametric", "lr_scale"});
    read_activation(r, node, path, layer, true);
    r.read(node, "parametric", path, layer.parametric);
    if (layer.parametric && (layer.activation == "softmax" || layer.activation == "linear")) {
        r.problem(path + ".parametric", node["parametric"],
                  "a parametric activation mixes x with act(x) per unit; '" + layer.activation +
                      "' has no such mix (use e.g. selu or mish)");
    }
    if (node["lr_scale"].IsDefined() && !layer.parametric) {
        r.problem(path + ".lr_scale", node["lr_scale"],
                  "applies only to a parametric activation (the only one with parameters)");
    }
    read_lr_scale(r, node, path, layer.lr_scale);
}

/// An ensemble layer comes once, and dense `ensemble` modes only after it; a softmax inside a
/// per-member dense layer would mix the members.
void check_ensemble(SpecReader& r, const YAML::Node& layers, const ModelSpec& model) {
    bool inside = false;
    for (std::size_t i = 0; i < model.layers.size(); ++i) {
        const LayerSpec& layer = model.layers[i];
        const std::string path = "model.layers." + std::to_string(i);
        if (layer.type == "ensemble") {
            if (inside) r.problem(path, layers[i], "a model has at most one ensemble layer");
            const std::size_t last = last_dense(model);  // layers.size() when there is none
            if (last == model.layers.size() || last < i) {
                r.problem(path, layers[i],
                          "an ensemble layer needs a dense layer after it (its members' heads)");
            }
            inside = true;
        } else if (layer.type == "dense" && !layer.ensemble.empty() && !inside) {
            r.problem(path + ".ensemble", layers[i]["ensemble"],
                      "applies only to dense layers after a {type: ensemble} layer");
        } else if (layer.type == "dense" && inside && layer.activation == "softmax" &&
                   ensemble_mode(model, i) != "shared" && i + 1 != model.layers.size()) {
            r.problem(path + ".activation", layers[i],
                      "softmax in a hidden '" + ensemble_mode(model, i) +
                          "' ensemble layer would mix its members; use it on the output layer "
                          "or set ensemble: shared");
        }
    }
}

void read_layer(SpecReader& r, const YAML::Node& node, const std::string& path, LayerSpec& layer) {
    if (!r.expect_map(node, path)) return;
    if (!node["type"].IsDefined()) {
        r.problem(path + ".type", node,
                  "missing required key (one of: " +
                      quoted_list(vocabulary::layer_types().supported) + ")");
        return;
    }
    if (!r.read(node, "type", path, layer.type)) return;
    const std::size_t before = r.problems().size();
    r.check_choice(layer.type, vocabulary::layer_types(), "layer type", path + ".type",
                   node["type"]);
    if (r.problems().size() != before) return;

    if (layer.type == "dense") {
        read_dense(r, node, path, layer);
    } else if (layer.type == "dropout") {
        r.check_keys(node, path, {"type", "rate"});
        if (!node["rate"].IsDefined()) {
            r.problem(path + ".rate", node, "missing required key (fraction of units dropped)");
        } else {
            r.read_checked(node, "rate", path, layer.rate, fraction, "in [0, 1)");
        }
    } else if (layer.type == "activation") {
        read_activation_layer(r, node, path, layer);
    } else if (layer.type == "bin_embedding") {
        r.check_keys(node, path, {"type", "units", "activation"});
        layer.units = 16;
        layer.activation = "relu";
        r.read_checked(node, "units", path, layer.units, positive, "a positive integer");
        r.read_checked(
            node, "activation", path, layer.activation,
            [](const std::string& a) { return a == "relu" || a == "linear"; }, "relu or linear");
    } else if (layer.type == "category_embedding") {
        r.check_keys(node, path, {"type", "units"});
        layer.units = 8;
        r.read_checked(node, "units", path, layer.units, positive, "a positive integer");
    } else if (layer.type == "periodic_embedding") {
        r.check_keys(node, path, {"type", "units", "frequencies", "sigma"});
        layer.units = 24;
        r.read_checked(node, "units", path, layer.units, positive, "a positive integer");
        r.read_checked(node, "frequencies", path, layer.frequencies, embedding_frequencies,
                       "in [1, 1024]");
        r.read_checked(node, "sigma", path, layer.sigma, positive_number, "a positive number");
    } else if (layer.type == "scale") {
        r.check_keys(node, path, {"type", "lr_scale"});
        read_lr_scale(r, node, path, layer.lr_scale);
    } else if (layer.type == "batch_norm") {
        r.check_keys(node, path, {"type", "momentum", "eps"});
        r.read_checked(node, "momentum", path, layer.momentum, fraction, "in [0, 1)");
        r.read_checked(node, "eps", path, layer.eps, positive_number, "a positive number");
    } else if (layer.type == "layer_norm") {
        r.check_keys(node, path, {"type", "eps"});
        r.read_checked(node, "eps", path, layer.eps, positive_number, "a positive number");
    } else if (layer.type == "ensemble") {
        r.check_keys(node, path, {"type", "members", "scale"});
        r.read_checked(node, "members", path, layer.members, ensemble_size, "in [1, 1024]");
        r.read(node, "scale", path, layer.scale);
    }
}

/// Input embedding layers come before every other layer.
void check_input_layers(SpecReader& r, const YAML::Node& layers, const ModelSpec& model) {
    bool others = false;
    for (std::size_t i = 0; i < model.layers.size(); ++i) {
        const std::string& type = model.layers[i].type;
        if (!vocabulary::is_input_embedding(type)) {
            others = true;
        } else if (others) {
            r.problem("model.layers." + std::to_string(i) + ".type", layers[i]["type"],
                      fmt::format("a {} layer embeds the model's inputs, so it must come before "
                                  "every other layer (the first layers are the embeddings)",
                                  type));
        }
    }
}

}  // namespace

double default_alpha(const std::string& activation) {
    if (activation == "leaky_relu") return 0.01;
    if (activation == "elu") return 1.0;
    return 0.0;
}

bool takes_alpha(const std::string& activation) {
    return activation == "leaky_relu" || activation == "elu";
}

void read_model(SpecReader& r, const YAML::Node& root, ModelSpec& model) {
    const YAML::Node node = root["model"];
    if (!node.IsDefined()) {
        r.problem("model", root, "missing required section 'model' (with a list of layers)");
        return;
    }
    if (!r.expect_map(node, "model")) return;
    r.check_keys(node, "model", {"init", "init_from", "parametrization", "data_init", "layers"});
    r.read(node, "data_init", "model", model.data_init);
    r.read(node, "init_from", "model", model.init_from);
    if (r.read(node, "parametrization", "model", model.parametrization)) {
        r.check_choice(model.parametrization, vocabulary::parametrizations(), "parametrization",
                       "model.parametrization", node["parametrization"]);
    }
    if (r.read(node, "init", "model", model.init) && model.init != "auto") {
        r.check_choice(model.init, vocabulary::initializers(), "initializer", "model.init",
                       node["init"]);
    }
    const YAML::Node layers = node["layers"];
    if (!layers.IsDefined() || !layers.IsSequence() || layers.size() == 0) {
        r.problem("model.layers", layers.IsDefined() ? layers : node,
                  "expected a non-empty list of layers, e.g. [{type: dense, units: 1}]");
        return;
    }
    model.layers.resize(layers.size());
    for (std::size_t i = 0; i < layers.size(); ++i) {
        read_layer(r, layers[i], "model.layers." + std::to_string(i), model.layers[i]);
    }
    check_ensemble(r, layers, model);
    check_input_layers(r, layers, model);
}

}  // namespace dlctl::spec_detail

namespace dlctl {

std::size_t last_dense(const ModelSpec& model) {
    std::size_t last = model.layers.size();
    for (std::size_t i = 0; i < model.layers.size(); ++i) {
        if (model.layers[i].type == "dense") last = i;
    }
    return last;
}

std::string ensemble_mode(const ModelSpec& model, std::size_t layer) {
    const LayerSpec& l = model.layers[layer];
    if (!l.ensemble.empty()) return l.ensemble;
    bool inside = false;
    for (std::size_t i = 0; i < layer; ++i) inside = inside || model.layers[i].type == "ensemble";
    if (!inside || l.type != "dense") return "";
    return layer == last_dense(model) ? "independent" : "batch";
}

}  // namespace dlctl
