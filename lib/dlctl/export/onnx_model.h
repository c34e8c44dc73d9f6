#pragma once

#include <string>

#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/export/onnx_graph.h"

namespace dlctl {

/// The layers of `checkpoint`'s model as ONNX nodes on `features` ([N, inputs] float, the
/// preprocessor's encoding): the name of its output, [N, outputs] float after the output
/// activation (an ensemble's members averaged), as Predictor::predict before the target's units;
/// a calibrated checkpoint's logits divided by its temperature before the output activation.
/// Throws UnsupportedError (exit 7) naming a layer ONNX cannot express.
std::string emit_model(OnnxGraph& g, const Checkpoint& checkpoint, const std::string& features);

}  // namespace dlctl
