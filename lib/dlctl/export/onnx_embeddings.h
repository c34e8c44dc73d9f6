#pragma once

#include <functional>
#include <string>

#include "dlctl/config/spec.h"
#include "dlctl/core/input_kind.h"
#include "dlctl/export/onnx_graph.h"
#include "dlctl/io/safetensors.h"

namespace dlctl {

/// An embedding layer's output: its embeddings first, then the inputs it passes on.
struct Embedded {
    std::string x;  ///< [N, width] float
    std::int64_t width = 0;
    InputKinds kinds;  ///< of each output, for the next embedding layer
};

/// A layer's tensor by its short name ("weight", "bias", "frequencies").
using LayerTensorOf = std::function<const NamedTensor&(const std::string&)>;

/// A periodic, category or bin embedding layer `s` on `x` ([N, width] float whose inputs hold
/// `kinds`), laid out as nn/input_routing.h says.
Embedded emit_embedding(OnnxGraph& g,
                        const std::string& x,
                        std::int64_t width,
                        const InputKinds& kinds,
                        const LayerSpec& s,
                        const LayerTensorOf& tensor);

}  // namespace dlctl
