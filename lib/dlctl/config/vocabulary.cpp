#include "dlctl/config/vocabulary.h"

namespace dlctl::vocabulary {

const Choices& layer_types() {
    static const Choices c{{"dense", "dropout"}, {"activation", "batch_norm", "layer_norm"}};
    return c;
}

const Choices& activations() {
    static const Choices c{
        {"linear", "relu", "sigmoid", "tanh"},
        {"leaky_relu", "elu", "selu", "gelu", "softmax", "softplus", "swish", "silu"}};
    return c;
}

const Choices& initializers() {
    static const Choices c{
        {"glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal", "zeros"},
        {"xavier_uniform", "xavier_normal", "ones", "constant"}};
    return c;
}

const Choices& losses() {
    static const Choices c{{"binary_crossentropy", "mse"},
                           {"mae", "huber", "categorical_crossentropy"}};
    return c;
}

const Choices& optimizers() {
    static const Choices c{{"sgd"}, {"adam", "adamw", "rmsprop", "adagrad"}};
    return c;
}

const Choices& normalizations() {
    static const Choices c{{"standard", "minmax", "none"}, {"robust"}};
    return c;
}

const Choices& delimiters() {
    static const Choices c{{",", ";", "\t", "|"}, {"auto"}};
    return c;
}

const Choices& metrics_for_loss(const std::string& loss) {
    static const Choices classification{{"accuracy", "precision", "recall", "f1"},
                                        {"auc", "log_loss"}};
    static const Choices regression{{"mse", "rmse", "mae", "r2"}, {}};
    return loss == "binary_crossentropy" ? classification : regression;
}

std::vector<std::string> default_metrics(const std::string& loss) {
    if (loss == "binary_crossentropy") return {"accuracy"};
    return {"rmse"};
}

std::string default_initializer(const std::string& activation) {
    return activation == "relu" ? "he_normal" : "glorot_uniform";
}

}  // namespace dlctl::vocabulary
