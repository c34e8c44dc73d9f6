#include "dlctl/config/vocabulary.h"

namespace dlctl::vocabulary {

const Choices& layer_types() {
    static const Choices c{
        {"dense", "dropout", "activation", "batch_norm", "layer_norm", "ensemble", "scale",
         "periodic_embedding", "category_embedding", "bin_embedding"},
        {}};
    return c;
}

const Choices& ensemble_modes() {
    static const Choices c{{"shared", "batch", "independent"}, {}};
    return c;
}

const Choices& activations() {
    static const Choices c{{"linear", "relu", "leaky_relu", "elu", "selu", "gelu", "tanh",
                            "sigmoid", "softmax", "softplus", "swish", "silu", "mish"},
                           {}};
    return c;
}

const Choices& initializers() {
    static const Choices c{{"glorot_uniform", "glorot_normal", "xavier_uniform", "xavier_normal",
                            "he_uniform", "he_normal", "lecun_normal", "zeros", "ones"},
                           {}};
    return c;
}

const Choices& losses() {
    static const Choices c{
        {"binary_crossentropy", "categorical_crossentropy", "mse", "mae", "huber"}, {}};
    return c;
}

const Choices& optimizers() {
    static const Choices c{{"sgd", "adam", "adamw", "rmsprop", "adagrad"}, {}};
    return c;
}

const Choices& schedules() {
    static const Choices c{{"constant", "step", "exponential", "cosine", "one_cycle",
                            "reduce_on_plateau", "coslog", "flat_cos"},
                           {}};
    return c;
}

const Choices& factor_schedules() {
    static const Choices c{{"constant", "flat_cos"}, {}};
    return c;
}

const Choices& parametrizations() {
    static const Choices c{{"standard", "ntk"}, {}};
    return c;
}

const Choices& normalizations() {
    static const Choices c{
        {"standard", "minmax", "robust", "quantile", "smooth_clip", "piecewise_linear", "none"},
        {}};
    return c;
}

const Choices& delimiters() {
    static const Choices c{{",", ";", "\t", "|", "auto"}, {}};
    return c;
}

const Choices& precisions() {
    static const Choices c{{"fp32", "tf32"}, {"bf16"}};
    return c;
}

bool is_classification_loss(const std::string& loss) {
    return loss == "binary_crossentropy" || loss == "categorical_crossentropy";
}

const Choices& metrics_for_loss(const std::string& loss) {
    static const Choices classification{
        {"accuracy", "precision", "recall", "f1", "precision_macro", "recall_macro", "f1_macro",
         "precision_weighted", "recall_weighted", "f1_weighted", "auc", "log_loss"},
        {}};
    static const Choices regression{{"mse", "rmse", "mae", "r2"}, {}};
    return is_classification_loss(loss) ? classification : regression;
}

std::vector<std::string> default_metrics(const std::string& loss) {
    if (is_classification_loss(loss)) return {"accuracy"};
    return {"rmse"};
}

std::string default_initializer(const std::string& activation) {
    if (activation == "relu" || activation == "leaky_relu" || activation == "elu" ||
        activation == "gelu" || activation == "swish" || activation == "silu" ||
        activation == "mish") {
        return "he_normal";
    }
    if (activation == "selu") return "lecun_normal";
    return "glorot_uniform";
}

std::string canonical_initializer(const std::string& name) {
    if (name == "xavier_uniform") return "glorot_uniform";
    if (name == "xavier_normal") return "glorot_normal";
    return name;
}

std::string monitor_mode(const std::string& monitor) {
    const std::string m = monitor.starts_with("val_") ? monitor.substr(4) : monitor;
    for (const char* larger : {"accuracy", "precision", "recall", "f1", "auc", "r2"}) {
        if (m.starts_with(larger)) return "max";
    }
    return "min";
}

bool is_input_embedding(const std::string& layer_type) {
    return layer_type == "periodic_embedding" || layer_type == "category_embedding" ||
           layer_type == "bin_embedding";
}

}  // namespace dlctl::vocabulary
