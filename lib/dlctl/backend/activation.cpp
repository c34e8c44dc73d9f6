#include "dlctl/backend/activation.h"

#include "dlctl/core/error.h"

namespace dlctl {

Activation parse_activation(const std::string& name) {
    if (name == "linear") return Activation::kLinear;
    if (name == "relu") return Activation::kRelu;
    if (name == "sigmoid") return Activation::kSigmoid;
    if (name == "tanh") return Activation::kTanh;
    throw UsageError("unknown activation '" + name + "'",
                     "supported: 'linear', 'relu', 'sigmoid', 'tanh'");
}

const char* to_string(Activation activation) {
    switch (activation) {
        case Activation::kLinear:
            return "linear";
        case Activation::kRelu:
            return "relu";
        case Activation::kSigmoid:
            return "sigmoid";
        case Activation::kTanh:
            return "tanh";
    }
    return "linear";
}

}  // namespace dlctl
