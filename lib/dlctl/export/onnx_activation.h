#pragma once

#include <string>

#include "dlctl/backend/activation.h"
#include "dlctl/export/onnx_graph.h"

namespace dlctl {

/// `activation` applied to `x` (float, any shape; softmax over the last axis).
std::string emit_activation(OnnxGraph& g, const std::string& x, Activation activation);

}  // namespace dlctl
