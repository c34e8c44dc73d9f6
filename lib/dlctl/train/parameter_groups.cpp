#include "dlctl/train/parameter_groups.h"

#include <algorithm>
#include <cmath>

#include "dlctl/core/error.h"
#include "dlctl/nn/model_builder.h"

namespace dlctl {

namespace {

/// The factors of one tensor of layer `layer` (built from `spec`).
ParameterGroup tensor_group(const LayerSpec& spec,
                            const Layer& layer,
                            const std::string& name,
                            bool ntk,
                            const OptimizerSpec& optimizer) {
    ParameterGroup g;
    g.lr_factor = spec.lr_scale;
    if (name == "bias") {
        g.lr_factor *= spec.bias_lr_scale;
        if (!optimizer.bias_decay) g.decay_factor = 0.0;
    }
    if (ntk && spec.type == "dense" && name == "weight") {
        const double root = std::sqrt(static_cast<double>(layer.input_size()));
        g.lr_factor /= root;
        if (optimizer.type == "adamw") g.decay_factor *= root;  // lr × decay stays unscaled
    }
    return g;
}

}  // namespace

std::vector<ParameterGroup> parameter_groups(const ModelSpec& spec,
                                             const Sequential& model,
                                             const OptimizerSpec& optimizer) {
    const Tensor params = model.parameters();
    const bool ntk = spec.parametrization == "ntk";
    const std::vector<std::size_t> built = built_layers(spec);
    std::vector<ParameterGroup> groups;
    for (std::size_t i = 0; i < spec.layers.size(); ++i) {
        if (built[i] == kNoLayer) continue;
        const Layer& layer = *model.layers()[built[i]];
        for (const auto& [name, tensor] : layer.tensors()) {
            const bool in_params = tensor.data >= params.data &&
                                   tensor.data + tensor.size() <= params.data + params.size();
            if (!in_params || tensor.size() == 0) continue;  // state: running statistics
            ParameterGroup g = tensor_group(spec.layers[i], layer, name, ntk, optimizer);
            g.offset = tensor.data - params.data;
            g.count = tensor.size();
            groups.push_back(g);
        }
    }
    std::sort(groups.begin(), groups.end(),
              [](const ParameterGroup& a, const ParameterGroup& b) { return a.offset < b.offset; });
    std::vector<ParameterGroup> merged;
    for (const ParameterGroup& g : groups) {
        DLCTL_CHECK(g.offset == (merged.empty() ? 0 : merged.back().offset + merged.back().count));
        if (!merged.empty() && merged.back().lr_factor == g.lr_factor &&
            merged.back().decay_factor == g.decay_factor) {
            merged.back().count += g.count;
        } else {
            merged.push_back(g);
        }
    }
    DLCTL_CHECK(params.size() == (merged.empty() ? 0 : merged.back().offset + merged.back().count));
    return merged;
}

}  // namespace dlctl
