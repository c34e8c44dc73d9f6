#include "dlctl/nn/model_builder.h"

#include "dlctl/core/error.h"
#include "dlctl/nn/dense.h"
#include "dlctl/nn/dropout.h"

namespace dlctl {

std::unique_ptr<Sequential> build_model(const ModelSpec& spec, std::int64_t input_size) {
    DLCTL_CHECK(!spec.layers.empty() && spec.layers.back().type == "dense");
    std::vector<std::unique_ptr<Layer>> layers;
    std::int64_t width = input_size;
    Activation output_activation = Activation::kLinear;
    for (std::size_t i = 0; i < spec.layers.size(); ++i) {
        const LayerSpec& s = spec.layers[i];
        if (s.type == "dense") {
            Activation activation = parse_activation(s.activation);
            if (i + 1 == spec.layers.size()) {
                output_activation = activation;
                activation = Activation::kLinear;
            }
            layers.push_back(
                std::make_unique<Dense>(width, s.units, activation, s.use_bias, s.init));
            width = s.units;
        } else if (s.type == "dropout") {
            layers.push_back(std::make_unique<Dropout>(width, static_cast<float>(s.rate), i));
        } else {
            throw UnsupportedError("layer type '" + s.type + "'");
        }
    }
    return std::make_unique<Sequential>(std::move(layers), output_activation);
}

}  // namespace dlctl
