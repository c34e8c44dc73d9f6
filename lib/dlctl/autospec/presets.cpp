#include "dlctl/autospec/presets.h"

#include <fmt/format.h>

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
};

constexpr Recipe kRecipes[] = {
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
        out += fmt::format("  {:<6} {}{}\n", r.name, r.summary,
                           &r == &kRecipes[0] ? " (default)" : "");
    }
    return out;
}

std::string preset_yaml(const std::string& name,
                        const TaskGuess& task,
                        const DataSpec& data,
                        std::size_t rows) {
    const Recipe& r = recipe(name);
    const int units = r.units > 128 && rows < 2000 ? 128 : r.units;
    std::string layers;
    if (r.members > 0) layers += fmt::format("    - {{type: ensemble, members: {}}}\n", r.members);
    for (int i = 0; i < r.hidden_layers; ++i) {
        layers += fmt::format("    - {{type: dense, units: {}, activation: relu}}\n", units);
        if (r.dropout > 0.0)
            layers += fmt::format("    - {{type: dropout, rate: {}}}\n", r.dropout);
    }
    layers += "    - " + output_layer(task) + "\n";
    // Ranks mapped to a normal: heavy tails and outliers hurt an MLP less (issue 24's
    // bench_quality measured it against standard scaling).
    std::string data_yaml = fmt::format("data:\n  task: {}\n  normalize: quantile\n", task.task);
    if (data.validation_file.empty()) data_yaml += "  split: {validation: 0.2}\n";
    if (task.task == "regression") data_yaml += "  target_normalize: standard\n";
    return data_yaml + "model:\n  layers:\n" + layers +
           fmt::format(
               "train:\n"
               "  loss: {}\n"
               "  epochs: {}\n"
               "  batch_size: {}\n"
               "  optimizer: {}\n"
               "  early_stopping: {{enabled: true, monitor: val_loss, patience: {}, "
               "restore_best: true}}\n",
               loss_of(task), r.max_epochs, batch_size_for(rows), r.optimizer, r.patience);
}

}  // namespace dlctl
