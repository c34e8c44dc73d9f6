#include "dlctl/autospec/presets.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"

namespace dlctl {

namespace {

/// What a preset varies; the rest of its recipe is shared.
struct Recipe {
    const char* name;
    const char* summary;
    int hidden_layers;
    int units;
    double dropout;
    int max_epochs;
    int patience;
    int members;            ///< > 0: a TabM ensemble of this many members
    const char* optimizer;  ///< the optimizer's flow map
    bool real_mlp = false;  ///< RealMLP's recipe (realmlp_yaml) instead of these fields
    bool periodic = false;  ///< periodic numeric embeddings first (MLP-PLR)
};

constexpr Recipe kRecipes[] = {
    {"mlp-plr",
     "mlp with periodic embeddings of the numeric columns first (PLR, Gorishniy et al. 2022; "
     "up to 100 columns)",
     3, 256, 0.1, 200, 16, 0, "{type: adamw, lr: 0.001}", false, true},
    {"mlp",
     "quantile-normalised inputs, 3 relu layers of 256 (128 under 2000 rows), dropout 0.1, "
     "AdamW, early stopping",
     3, 256, 0.1, 200, 16, 0, "{type: adamw, lr: 0.001}"},
    {"fast", "2 relu layers of 128, AdamW, fewer epochs: a quick first look", 2, 128, 0.0, 50, 8, 0,
     "{type: adamw, lr: 0.001}"},
    {"tabm",
     "TabM: 32 members sharing 3 BatchEnsemble relu layers of 128, a head each, dropout 0.1, "
     "AdamW (lr 0.002, weight decay 0.0003), early stopping",
     3, 128, 0.1, 200, 16, 32, "{type: adamw, lr: 0.002, weight_decay: 0.0003}"},
    {"realmlp",
     "RealMLP (Holzmueller et al. 2024) without its numeric embeddings: robust-scaled, "
     "smooth-clipped inputs, a learned input scale, 3 layers of 256 with parametric selu "
     "(mish for regression), ntk parametrization, coslog learning rate, dropout and weight decay "
     "on flat_cos schedules, 256 epochs, the best epoch kept",
     3, 256, 0.15, 256, 256, 0, "", true},
};

const Recipe& recipe(const std::string& name) {
    for (const Recipe& r : kRecipes) {
        if (name == r.name) return r;
    }
    throw UsageError(fmt::format("unknown preset '{}'{}", name, did_you_mean(name, preset_names())),
                     "presets:\n" + describe_presets());
}

/// Batches of about 1/64 of the rows, a power of two from 32 to 512.
int batch_size_for(std::size_t rows) {
    int batch = 32;
    while (batch < 512 && static_cast<std::size_t>(batch) * 64 < rows) batch *= 2;
    return batch;
}

std::string output_layer(const TaskGuess& task) {
    if (task.task == "binary") return "{type: dense, units: 1, activation: sigmoid}";
    if (task.task == "multiclass") {
        return fmt::format("{{type: dense, units: {}, activation: softmax}}", task.classes);
    }
    return "{type: dense, units: 1, activation: linear}";
}

std::string loss_of(const TaskGuess& task) {
    if (task.task == "binary") return "binary_crossentropy";
    if (task.task == "multiclass") return "categorical_crossentropy";
    return "mse";
}

/// Columns of more than `limit` values get a learned embedding of `units` (the data key and the
/// first layer); none when no column is that wide.
struct CategoryEmbeddingRecipe {
    int limit = 0;  ///< 0: every column one-hot
    int units = 0;

    CategoryEmbeddingRecipe(const DataSpec& data, std::size_t widest, int one_hot_limit, int size) {
        const int wanted = data.embed_categories > 0 ? data.embed_categories : one_hot_limit;
        if (data.embed_categories > 0 || widest > static_cast<std::size_t>(wanted)) {
            limit = wanted;
            units = size;
        }
    }
    std::string data_yaml() const {
        return limit > 0 ? fmt::format("  embed_categories: {}\n", limit) : "";
    }
    std::string layer_yaml() const {
        return limit > 0 ? fmt::format("    - {{type: category_embedding, units: {}}}\n", units)
                         : "";
    }
};

std::string data_yaml(const TaskGuess& task,
                      const DataSpec& data,
                      const char* normalize,
                      const CategoryEmbeddingRecipe& embedding) {
    std::string out = fmt::format("data:\n  task: {}\n  normalize: {}\n", task.task, normalize) +
                      embedding.data_yaml();
    if (data.validation_file.empty()) out += "  split: {validation: 0.2}\n";
    if (task.task == "regression") out += "  target_normalize: standard\n";
    return out;
}

std::string early_stopping_yaml(int patience) {
    return fmt::format(
        "  early_stopping: {{enabled: true, monitor: val_loss, patience: {}, restore_best: "
        "true}}\n",
        patience);
}

/// RealMLP-TD's recipe as dlctl layers and settings: its learning rates (0.04, 0.2 for
/// regression), factors (input scale × 6, biases and activation mixes × 0.1), Adam's β2 0.95,
/// weight decay 0.02 spared on biases, its data-dependent start, and a zero-initialised output
/// layer.
std::string realmlp_yaml(const Recipe& r,
                         const TaskGuess& task,
                         const DataSpec& data,
                         std::size_t widest_category) {
    const bool regression = task.task == "regression";
    // RealMLP one-hot encodes up to 8 categories and embeds wider columns in 8 values.
    const CategoryEmbeddingRecipe embedding(data, widest_category, 8, 8);
    std::string layers = embedding.layer_yaml() + "    - {type: scale, lr_scale: 6}\n";
    for (int i = 0; i < r.hidden_layers; ++i) {
        layers += fmt::format("    - {{type: dense, units: {}, bias_lr_scale: 0.1}}\n", r.units);
        layers += fmt::format(
            "    - {{type: activation, activation: {}, parametric: true, lr_scale: 0.1}}\n",
            regression ? "mish" : "selu");
        layers += fmt::format("    - {{type: dropout, rate: {}}}\n", r.dropout);
    }
    std::string output = output_layer(task);
    output.insert(output.size() - 1, ", init: zeros, bias_lr_scale: 0.1");
    layers += "    - " + output + "\n";
    return data_yaml(task, data, "smooth_clip", embedding) +
           "model:\n  parametrization: ntk\n  data_init: true\n  layers:\n" + layers +
           fmt::format(
               "train:\n"
               "  loss: {}\n"
               "{}"
               "  epochs: {}\n"
               "  batch_size: 256\n"
               "  optimizer: {{type: adamw, lr: {}, betas: [0.9, 0.95], weight_decay: 0.02, "
               "bias_decay: false}}\n"
               "  schedule: {{type: coslog, cycles: 4}}\n"
               "  dropout_schedule: flat_cos\n"
               "  weight_decay_schedule: flat_cos\n",
               loss_of(task), regression ? "" : "  label_smoothing: 0.1\n", r.max_epochs,
               regression ? 0.2 : 0.04) +
           early_stopping_yaml(r.patience);
}

}  // namespace

const std::vector<std::string>& preset_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const Recipe& r : kRecipes) out.emplace_back(r.name);
        return out;
    }();
    return names;
}

std::string describe_presets() {
    std::string out;
    for (const Recipe& r : kRecipes) {
        out += fmt::format("  {:<7} {}{}\n", r.name, r.summary,
                           &r == &kRecipes[0] ? " (default)" : "");
    }
    return out;
}

std::string preset_yaml(const std::string& name,
                        const TaskGuess& task,
                        const DataSpec& data,
                        const DataShape& shape) {
    const Recipe& r = recipe(name);
    if (r.real_mlp) return realmlp_yaml(r, task, data, shape.widest_category);
    const int units = r.units > 128 && shape.rows < 2000 ? 128 : r.units;
    const CategoryEmbeddingRecipe embedding(data, shape.widest_category, data.max_categories, 16);
    std::string layers = embedding.layer_yaml();
    if (r.periodic && shape.numeric_columns > kMostPeriodicColumns) {
        spdlog::info(
            "{} numeric columns, more than {}: no periodic embeddings (each would make "
            "24 inputs of the first layer)",
            shape.numeric_columns, kMostPeriodicColumns);
    } else if (r.periodic) {
        layers += "    - {type: periodic_embedding, units: 24, frequencies: 48}\n";
    }
    if (r.members > 0) layers += fmt::format("    - {{type: ensemble, members: {}}}\n", r.members);
    for (int i = 0; i < r.hidden_layers; ++i) {
        layers += fmt::format("    - {{type: dense, units: {}, activation: relu}}\n", units);
        if (r.dropout > 0.0)
            layers += fmt::format("    - {{type: dropout, rate: {}}}\n", r.dropout);
    }
    layers += "    - " + output_layer(task) + "\n";
    // Ranks mapped to a normal: heavy tails and outliers hurt an MLP less (issue 24's
    // bench_quality measured it against standard scaling).
    return data_yaml(task, data, "quantile", embedding) + "model:\n  layers:\n" + layers +
           fmt::format(
               "train:\n"
               "  loss: {}\n"
               "  epochs: {}\n"
               "  batch_size: {}\n"
               "  optimizer: {}\n",
               loss_of(task), r.max_epochs, batch_size_for(shape.rows), r.optimizer) +
           early_stopping_yaml(r.patience);
}

}  // namespace dlctl
