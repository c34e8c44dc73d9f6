#include "dlctl/backend/activation.h"

#include <utility>

#include "dlctl/core/error.h"

namespace dlctl {

const Activation Activation::kLinear{ActivationKind::kLinear};
const Activation Activation::kRelu{ActivationKind::kRelu};
const Activation Activation::kSigmoid{ActivationKind::kSigmoid};
const Activation Activation::kTanh{ActivationKind::kTanh};
const Activation Activation::kSoftmax{ActivationKind::kSoftmax};

namespace {
constexpr std::pair<const char*, ActivationKind> kNames[] = {
    {"linear", ActivationKind::kLinear},
    {"relu", ActivationKind::kRelu},
    {"leaky_relu", ActivationKind::kLeakyRelu},
    {"elu", ActivationKind::kElu},
    {"selu", ActivationKind::kSelu},
    {"gelu", ActivationKind::kGelu},
    {"tanh", ActivationKind::kTanh},
    {"sigmoid", ActivationKind::kSigmoid},
    {"softmax", ActivationKind::kSoftmax},
    {"softplus", ActivationKind::kSoftplus},
    {"swish", ActivationKind::kSwish},
    {"silu", ActivationKind::kSwish},
    {"mish", ActivationKind::kMish},
};
}  // namespace

Activation parse_activation(const std::string& name, double alpha) {
    for (const auto& [n, kind] : kNames) {
        if (name == n) return {kind, static_cast<float>(alpha)};
    }
    throw UsageError("unknown activation '" + name + "'");
}

const char* to_string(Activation activation) {
    for (const auto& [n, kind] : kNames) {
        if (kind == activation.kind) return n;
    }
    return "linear";
}

}  // namespace dlctl
