#include "dlctl/nn/model_builder.h"

#include <algorithm>

#include "dlctl/config/vocabulary.h"
#include "dlctl/core/error.h"
#include "dlctl/nn/activation_layer.h"
#include "dlctl/nn/batch_ensemble_dense.h"
#include "dlctl/nn/bin_embedding.h"
#include "dlctl/nn/category_embedding.h"
#include "dlctl/nn/dense.h"
#include "dlctl/nn/dropout.h"
#include "dlctl/nn/ensemble_input.h"
#include "dlctl/nn/independent_dense.h"
#include "dlctl/nn/input_routing.h"
#include "dlctl/nn/normalization.h"
#include "dlctl/nn/parametric_activation.h"
#include "dlctl/nn/periodic_embedding.h"
#include "dlctl/nn/scale.h"

namespace dlctl {

namespace {

struct DenseShape {
    std::int64_t inputs, units;
    Activation activation;
    float l1, l2;
};

/// A dense layer as its ensemble `mode` shares it (backend.h, "ensembles"; empty: a plain one).
std::unique_ptr<Layer> make_dense(const LayerSpec& s,
                                  const std::string& mode,
                                  const DenseShape& d,
                                  std::int64_t members,
                                  bool first_of_ensemble) {
    if (mode == "batch") {
        return std::make_unique<BatchEnsembleDense>(d.inputs, d.units, members, d.activation,
                                                    s.use_bias, s.init, first_of_ensemble, d.l1,
                                                    d.l2);
    }
    if (mode == "independent") {
        return std::make_unique<IndependentDense>(d.inputs, d.units, members, d.activation,
                                                  s.use_bias, s.init, d.l1, d.l2);
    }
    return std::make_unique<Dense>(d.inputs, d.units, d.activation, s.use_bias, s.init, d.l1, d.l2);
}

/// An input embedding layer (`s.type`) over its kind of inputs; `kinds` becomes its outputs'.
std::unique_ptr<Layer> make_input_layer(const LayerSpec& s, std::int64_t width, InputKinds& kinds) {
    const InputKinds given =
        kinds.empty() ? InputKinds(static_cast<std::size_t>(width), {InputKind::kNumber}) : kinds;
    std::unique_ptr<Layer> layer;
    std::vector<bool> keep;
    if (s.type == "periodic_embedding") {
        auto [rows, passed] = inputs_of_kind(given, width, InputKind::kNumber);
        keep = std::move(passed);
        layer = std::make_unique<PeriodicEmbedding>(width, std::move(rows), s.frequencies, s.units,
                                                    s.sigma);
    } else if (s.type == "category_embedding") {
        auto [rows, passed] = inputs_of_kind(given, width, InputKind::kCategory);
        keep = std::move(passed);
        std::vector<std::int64_t> vocabularies;
        for (const auto r : rows) vocabularies.push_back(given[r].size);
        layer = std::make_unique<CategoryEmbedding>(width, std::move(rows), std::move(vocabularies),
                                                    s.units);
    } else {
        auto [rows, passed] = inputs_of_kind(given, width, InputKind::kBin);
        keep = std::move(passed);
        std::vector<std::int64_t> bins;  // each column's, from its first bin's row
        for (const auto r : rows) {
            if (given[r].first == r) bins.push_back(given[r].size);
        }
        layer = std::make_unique<BinEmbedding>(width, std::move(rows), std::move(bins), s.units,
                                               parse_activation(s.activation, s.alpha));
    }
    kinds = kinds_after_embedding(given,
                                  layer->output_size() - static_cast<std::int64_t>(std::count(
                                                             keep.begin(), keep.end(), true)),
                                  keep);
    return layer;
}

}  // namespace

std::unique_ptr<Sequential> build_model(const ModelSpec& spec,
                                        std::int64_t input_size,
                                        double l1,
                                        double l2,
                                        const InputKinds& input_kinds) {
    const auto& specs = spec.layers;
    DLCTL_CHECK(!specs.empty() &&
                (specs.back().type == "dense" || specs.back().type == "activation"));
    std::vector<std::unique_ptr<Layer>> layers;
    std::int64_t width = input_size;
    Activation output_activation = Activation::kLinear;
    std::int64_t members = 1;
    bool first_dense = false;  ///< the next dense layer is an ensemble's first
    InputKinds kinds = input_kinds;
    DLCTL_CHECK(kinds.empty() || static_cast<std::int64_t>(kinds.size()) == input_size);
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const LayerSpec& s = specs[i];
        const bool last = i + 1 == specs.size();
        const Activation activation = parse_activation(s.activation, s.alpha);
        if (s.type == "dense") {
            // The output activation moves into the loss (fused) and the predictions; the layer
            // emits logits.
            if (last) output_activation = activation;
            const DenseShape shape{width, s.units, last ? Activation::kLinear : activation,
                                   static_cast<float>(s.l1 >= 0.0 ? s.l1 : l1),
                                   static_cast<float>(s.l2 >= 0.0 ? s.l2 : l2)};
            layers.push_back(make_dense(s, ensemble_mode(spec, i), shape, members, first_dense));
            first_dense = false;
            width = s.units;
        } else if (s.type == "ensemble") {
            members = s.members;
            first_dense = true;
            layers.push_back(std::make_unique<EnsembleInput>(width, members, s.scale));
        } else if (s.type == "activation") {
            if (last) {
                output_activation = activation;
            } else if (s.parametric) {
                layers.push_back(std::make_unique<ParametricActivation>(width, activation));
            } else {
                layers.push_back(std::make_unique<ActivationLayer>(width, activation));
            }
        } else if (s.type == "scale") {
            layers.push_back(std::make_unique<Scale>(width));
        } else if (vocabulary::is_input_embedding(s.type)) {
            layers.push_back(make_input_layer(s, width, kinds));
            width = layers.back()->output_size();
        } else if (s.type == "dropout") {
            layers.push_back(std::make_unique<Dropout>(width, static_cast<float>(s.rate), i));
        } else if (s.type == "batch_norm") {
            layers.push_back(std::make_unique<BatchNorm>(width, static_cast<float>(s.momentum),
                                                         static_cast<float>(s.eps)));
        } else if (s.type == "layer_norm") {
            layers.push_back(std::make_unique<LayerNorm>(width, static_cast<float>(s.eps)));
        } else {
            throw UnsupportedError("layer type '" + s.type + "'");
        }
    }
    return std::make_unique<Sequential>(std::move(layers), output_activation);
}

std::vector<std::size_t> built_layers(const ModelSpec& spec) {
    std::vector<std::size_t> out;
    std::size_t next = 0;
    for (std::size_t i = 0; i < spec.layers.size(); ++i) {
        const bool output_activation =
            i + 1 == spec.layers.size() && spec.layers[i].type == "activation";
        out.push_back(output_activation ? kNoLayer : next++);
    }
    return out;
}

}  // namespace dlctl
