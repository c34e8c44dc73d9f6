#include "dlctl/export/onnx_activation.h"

#include <cmath>

namespace dlctl {

std::string emit_activation(OnnxGraph& g, const std::string& x, Activation activation) {
    switch (activation.kind) {
        case ActivationKind::kLinear:
            return x;
        case ActivationKind::kRelu:
            return g.node("Relu", {x});
        case ActivationKind::kLeakyRelu:
            return g.node("LeakyRelu", {x}, {float_attribute("alpha", activation.alpha)});
        case ActivationKind::kElu:
            return g.node("Elu", {x}, {float_attribute("alpha", activation.alpha)});
        case ActivationKind::kSelu:
            return g.node("Selu", {x});  // ONNX's default alpha and gamma are SELU's
        case ActivationKind::kGelu: {    // exact: x/2 · (1 + erf(x/√2)); Gelu is opset 20
            const std::string erf =
                g.node("Erf", {g.node("Mul", {x, g.scalar("inverse_sqrt2", M_SQRT1_2, false)})});
            return g.node("Mul", {g.node("Mul", {x, g.scalar("half", 0.5, false)}),
                                  g.node("Add", {erf, g.scalar("one", 1.0, false)})});
        }
        case ActivationKind::kTanh:
            return g.node("Tanh", {x});
        case ActivationKind::kSigmoid:
            return g.node("Sigmoid", {x});
        case ActivationKind::kSoftmax:
            return g.node("Softmax", {x}, {int_attribute("axis", -1)});
        case ActivationKind::kSoftplus:
            return g.node("Softplus", {x});
        case ActivationKind::kSwish:
            return g.node("Mul", {x, g.node("Sigmoid", {x})});
        case ActivationKind::kMish:
            return g.node("Mul", {x, g.node("Tanh", {g.node("Softplus", {x})})});
    }
    return x;
}

}  // namespace dlctl
