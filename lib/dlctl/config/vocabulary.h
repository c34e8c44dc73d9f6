#pragma once

#include <string>
#include <vector>

namespace dlctl::vocabulary {

/// The names the spec accepts for each enumerated setting. `planned` names are recognised so the
/// error can say "not yet supported" instead of "unknown".
struct Choices {
    std::vector<std::string> supported;
    std::vector<std::string> planned;
};

const Choices& layer_types();
/// How a dense layer after an ensemble layer shares weights between the members.
const Choices& ensemble_modes();
const Choices& activations();
const Choices& initializers();
const Choices& losses();
const Choices& optimizers();
const Choices& schedules();
/// train.dropout_schedule and train.weight_decay_schedule: a factor over the run.
const Choices& factor_schedules();
/// model.parametrization: how dense layers' learning rates scale with their inputs.
const Choices& parametrizations();
const Choices& normalizations();
const Choices& delimiters();
/// train.precision: the arithmetic of GPU matrix products.
const Choices& precisions();
/// Metrics valid for a loss, e.g. accuracy for binary_crossentropy, rmse for mse.
const Choices& metrics_for_loss(const std::string& loss);
/// The metrics a run reports when the spec names none.
std::vector<std::string> default_metrics(const std::string& loss);
/// Whether a loss trains a classifier (labels) rather than a regressor.
bool is_classification_loss(const std::string& loss);
/// The layers that embed model inputs (periodic, category and bin embeddings); they come before
/// every other layer.
bool is_input_embedding(const std::string& layer_type);
/// The initializer used for a dense layer with this activation when the spec names none.
std::string default_initializer(const std::string& activation);
/// The canonical initializer name for an alias (xavier_uniform -> glorot_uniform).
std::string canonical_initializer(const std::string& name);
/// "max" for monitors where larger is better (accuracy, f1, auc, r2, ...), else "min".
std::string monitor_mode(const std::string& monitor);

}  // namespace dlctl::vocabulary
