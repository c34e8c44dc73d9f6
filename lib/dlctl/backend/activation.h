#pragma once

#include <string>

namespace dlctl {

enum class ActivationKind {
    kLinear,
    kRelu,
    kLeakyRelu,  ///< alpha: slope for x < 0
    kElu,        ///< alpha: scale of the negative part
    kSelu,
    kGelu,  ///< exact (erf) form, as torch.nn.GELU() and Keras' default
    kTanh,
    kSigmoid,
    kSoftmax,  ///< over the features of each sample (column)
    kSoftplus,
    kSwish,  ///< x · sigmoid(x), also called SiLU
    kMish,   ///< x · tanh(softplus(x)) (Misra 2019)
};

/// An activation function and its parameter.
struct Activation {
    ActivationKind kind = ActivationKind::kLinear;
    float alpha = 0.0f;

    bool operator==(const Activation&) const = default;

    static const Activation kLinear;
    static const Activation kRelu;
    static const Activation kSigmoid;
    static const Activation kTanh;
    static const Activation kSoftmax;
};

/// Whether a dense layer with this activation can activate in place: linear and relu take their
/// gradient from the output alone, so one buffer serves as pre-activation and output.
inline bool activates_in_place(Activation activation) {
    return activation.kind == ActivationKind::kLinear || activation.kind == ActivationKind::kRelu;
}

/// Maps a spec name ("relu", "leaky_relu", ...) and its `alpha` (used by leaky_relu and elu) to an
/// Activation; throws UsageError for unknown names.
Activation parse_activation(const std::string& name, double alpha = 0.0);
/// The spec name of the activation's kind.
const char* to_string(Activation activation);

}  // namespace dlctl
