#include "dlctl/nn/model_builder.h"

#include "dlctl/core/error.h"
#include "dlctl/nn/activation_layer.h"
#include "dlctl/nn/batch_ensemble_dense.h"
#include "dlctl/nn/category_embedding.h"
#include "dlctl/nn/dense.h"
#include "dlctl/nn/dropout.h"
#include "dlctl/nn/ensemble_input.h"
#include "dlctl/nn/independent_dense.h"
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

/// What the model's inputs are, as the input layers pass them on: per input, whether it is a
/// numeric value (empty: all are) and its vocabulary size when it is a category's index.
struct InputKinds {
    std::vector<bool> numeric;
    std::vector<std::int64_t> categories;

    bool is_numeric(std::size_t r) const { return numeric.empty() || numeric[r]; }
    std::int64_t vocabulary(std::size_t r) const { return categories.empty() ? 0 : categories[r]; }
    /// The kinds after a layer that puts `embedded` values first and then the inputs that
    /// `keep` marks, in order.
    InputKinds after_embedding(std::int64_t embedded, const std::vector<bool>& keep) const {
        InputKinds out;
        out.numeric.assign(static_cast<std::size_t>(embedded), false);
        out.categories.assign(static_cast<std::size_t>(embedded), 0);
        for (std::size_t r = 0; r < keep.size(); ++r) {
            if (!keep[r]) continue;
            out.numeric.push_back(is_numeric(r));
            out.categories.push_back(vocabulary(r));
        }
        return out;
    }
};

/// A periodic_embedding layer over the numeric inputs; `kinds` becomes its outputs' kinds.
std::unique_ptr<Layer> make_periodic(const LayerSpec& s, std::int64_t width, InputKinds& kinds) {
    std::vector<std::uint32_t> rows;
    std::vector<bool> keep(static_cast<std::size_t>(width), true);
    for (std::int64_t r = 0; r < width; ++r) {
        if (kinds.is_numeric(static_cast<std::size_t>(r))) {
            rows.push_back(static_cast<std::uint32_t>(r));
            keep[static_cast<std::size_t>(r)] = false;
        }
    }
    kinds = kinds.after_embedding(s.units * static_cast<std::int64_t>(rows.size()), keep);
    return std::make_unique<PeriodicEmbedding>(width, std::move(rows), s.frequencies, s.units,
                                               s.sigma);
}

/// A category_embedding layer over the category index inputs; `kinds` becomes its outputs'.
std::unique_ptr<Layer> make_category_embedding(const LayerSpec& s,
                                               std::int64_t width,
                                               InputKinds& kinds) {
    std::vector<std::uint32_t> rows;
    std::vector<std::int64_t> vocabularies;
    std::vector<bool> keep(static_cast<std::size_t>(width), true);
    for (std::int64_t r = 0; r < width; ++r) {
        if (const std::int64_t v = kinds.vocabulary(static_cast<std::size_t>(r)); v > 0) {
            rows.push_back(static_cast<std::uint32_t>(r));
            vocabularies.push_back(v);
            keep[static_cast<std::size_t>(r)] = false;
        }
    }
    kinds = kinds.after_embedding(s.units * static_cast<std::int64_t>(rows.size()), keep);
    return std::make_unique<CategoryEmbedding>(width, std::move(rows), std::move(vocabularies),
                                               s.units);
}

}  // namespace

std::unique_ptr<Sequential> build_model(const ModelSpec& spec,
                                        std::int64_t input_size,
                                        double l1,
                                        double l2,
                                        const std::vector<bool>& numeric_inputs,
                                        const std::vector<std::int64_t>& category_inputs) {
    const auto& specs = spec.layers;
    DLCTL_CHECK(!specs.empty() &&
                (specs.back().type == "dense" || specs.back().type == "activation"));
    std::vector<std::unique_ptr<Layer>> layers;
    std::int64_t width = input_size;
    Activation output_activation = Activation::kLinear;
    std::int64_t members = 1;
    bool first_dense = false;  ///< the next dense layer is an ensemble's first
    InputKinds kinds{numeric_inputs, category_inputs};
    DLCTL_CHECK(numeric_inputs.empty() ||
                static_cast<std::int64_t>(numeric_inputs.size()) == input_size);
    DLCTL_CHECK(category_inputs.empty() ||
                static_cast<std::int64_t>(category_inputs.size()) == input_size);
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
        } else if (s.type == "periodic_embedding") {
            layers.push_back(make_periodic(s, width, kinds));
            width = layers.back()->output_size();
        } else if (s.type == "category_embedding") {
            layers.push_back(make_category_embedding(s, width, kinds));
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
