#include "dlctl/nn/model_builder.h"

#include "dlctl/core/error.h"
#include "dlctl/nn/activation_layer.h"
#include "dlctl/nn/dense.h"
#include "dlctl/nn/dropout.h"
#include "dlctl/nn/normalization.h"

namespace dlctl {

std::unique_ptr<Sequential> build_model(const ModelSpec& spec,
                                        std::int64_t input_size,
                                        double l1,
                                        double l2) {
    const auto& specs = spec.layers;
    DLCTL_CHECK(!specs.empty() &&
                (specs.back().type == "dense" || specs.back().type == "activation"));
    std::vector<std::unique_ptr<Layer>> layers;
    std::int64_t width = input_size;
    Activation output_activation = Activation::kLinear;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const LayerSpec& s = specs[i];
        const bool last = i + 1 == specs.size();
        const Activation activation = parse_activation(s.activation, s.alpha);
        if (s.type == "dense") {
            // The output activation moves into the loss (fused) and the predictions; the layer
            // emits logits.
            if (last) output_activation = activation;
            layers.push_back(std::make_unique<Dense>(
                width, s.units, last ? Activation::kLinear : activation, s.use_bias, s.init,
                static_cast<float>(s.l1 >= 0.0 ? s.l1 : l1),
                static_cast<float>(s.l2 >= 0.0 ? s.l2 : l2)));
            width = s.units;
        } else if (s.type == "activation") {
            if (last) {
                output_activation = activation;
            } else {
                layers.push_back(std::make_unique<ActivationLayer>(width, activation));
            }
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

}  // namespace dlctl
