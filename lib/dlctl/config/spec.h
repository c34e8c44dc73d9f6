#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dlctl {

/// The experiment spec as plain data. Every field has its default here; `load_spec` fills it from
/// YAML and `to_yaml` writes it back with every default spelled out. Names and defaults of
/// optimizer and schedule settings follow PyTorch, so scripts port directly.

struct SplitSpec {
    double test = 0.2;              ///< fraction of rows held out for the final test
    double validation = 0.1;        ///< fraction of rows for per-epoch validation
    bool shuffle = true;            ///< shuffle rows (seeded) before splitting
    std::string stratify = "auto";  ///< true | false | auto (true for classification losses)
};

/// How missing cells (data.na_values) of feature columns are filled, fitted on training rows.
struct MissingSpec {
    std::string numeric = "mean";                  ///< mean | median | constant | drop_row | error
    std::string categorical = "missing_category";  ///< mode | constant | missing_category |
                                                   ///< drop_row | error
    double fill_value = 0.0;                       ///< numeric constant
    std::string fill_category = "__missing__";     ///< categorical constant
    bool indicators = false;  ///< add a <column>__missing 0/1 feature per column with gaps
};

struct DataSpec {
    std::string path;                    ///< CSV file; absolute once resolved
    std::string target;                  ///< target column name
    std::vector<std::string> features;   ///< empty: every column but target, drop, sample_weight
    std::vector<std::string> drop;       ///< columns to ignore
    std::string sample_weight;           ///< optional column of per-row loss weights
    std::string delimiter = ",";         ///< , ; \t | or auto (sniffed from the first line)
    bool header = true;                  ///< false: no header row; columns are col0, col1, ...
    std::string normalize = "standard";  ///< standard | minmax | robust | quantile |
                                         ///< smooth_clip | piecewise_linear | none
    int bins = 16;  ///< piecewise_linear: quantile bins a numeric column is encoded over
    /// Normalization of single columns by name, overriding `normalize`.
    std::vector<std::pair<std::string, std::string>> normalize_columns;
    /// Column types by name (numeric | boolean | categorical | ignore: not a feature); others
    /// are inferred.
    std::vector<std::pair<std::string, std::string>> columns;
    std::vector<std::string> na_values = {"", "NA", "N/A", "NaN", "null", "?"};
    MissingSpec missing;
    int max_categories = 50;  ///< one-hot width cap; rarer values share __other__; 0: no cap
    std::string unseen_categories = "ignore";  ///< ignore (all-zero) | error, at predict time
    /// > 0: categorical columns with more values than this get a learned embedding (the model's
    /// first layer must be category_embedding) instead of one-hot inputs; 0: none.
    int embed_categories = 0;
    std::string positive_label;  ///< binary: the label of class 1; empty: the last sorted label
    /// binary | multiclass | regression; auto: as the loss says. Given, it sets the default
    /// loss and must fit the loss and the output layer.
    std::string task = "auto";
    bool cache = true;      ///< keep parsed tables of files >= 1 MB in a binary cache
    std::string cache_dir;  ///< empty: $DLCTL_CACHE_DIR, $XDG_CACHE_HOME/dlctl or ~/.cache/dlctl
    /// true: read the whole file into memory; false: stream it into an on-disk columnar copy in
    /// cache_dir and train from that a window at a time (data larger than memory); auto: false
    /// when the file is larger than half of memory_budget.
    std::string in_memory = "auto";
    /// The memory out-of-core preparation and training keep to ("512MB", "2GB", "1.5GiB"); auto:
    /// half of the machine's physical memory.
    std::string memory_budget = "auto";
    /// Data-parallel training on several ranks: part, each rank reads its part of the file (the
    /// column types from its first rows, every row one line); whole, every rank reads all of it.
    std::string rank_reads = "part";
    std::string target_normalize = "none";  ///< regression: standard | none (metrics stay in
                                            ///< the target's own units)
    SplitSpec split;
    std::string validation_file;  ///< validation rows from this CSV instead of a fraction
    std::string test_file;        ///< test rows from this CSV instead of a fraction
};

struct LayerSpec {
    std::string type;  ///< dense | dropout | activation | batch_norm | layer_norm | ensemble |
                       ///< scale | periodic_embedding | category_embedding
    int units = 0;     ///< dense
    std::string activation = "linear";  ///< dense, activation
    double alpha = 0.0;                 ///< leaky_relu slope / elu scale; resolved per activation
    bool use_bias = true;               ///< dense
    std::string init;                   ///< dense; resolved from the activation when empty
    double l1 = -1.0;                   ///< dense kernel penalty; < 0: train.regularization.l1
    double l2 = -1.0;                   ///< dense kernel penalty; < 0: train.regularization.l2
    // (unset penalties stay -1 in the resolved spec, so overriding train.regularization on a
    // saved config.yaml still reaches every layer that did not set its own)
    double rate = 0.0;      ///< dropout
    double momentum = 0.1;  ///< batch_norm running-statistics momentum (PyTorch)
    double eps = 1e-5;      ///< batch_norm, layer_norm
    int members = 32;       ///< ensemble: members side by side (TabM's k)
    bool scale = false;     ///< ensemble: a trainable per-member input scale (TabM-mini)
    /// dense after an ensemble layer: shared (one W and b), batch (shared W, per-member scales
    /// and bias: BatchEnsemble) or independent (each member its own W and b). Resolved: batch for
    /// hidden layers, independent for the output layer; empty outside an ensemble.
    std::string ensemble;
    /// activation: a learned mix per unit, x + a·(act(x) - x) with a starting at 1 (RealMLP's
    /// parametric activation).
    bool parametric = false;
    /// periodic_embedding: trainable frequencies per numeric input (k), drawn from N(0, sigma²);
    /// `units` is each input's embedding size.
    int frequencies = 48;
    double sigma = 0.01;
    /// dense, scale, parametric activation: the layer's learning rate is train.optimizer.lr ×
    /// this (RealMLP's per-parameter learning-rate factors).
    double lr_scale = 1.0;
    double bias_lr_scale = 1.0;  ///< dense: the bias's learning rate is also × this
};

struct ModelSpec {
    std::string init = "auto";  ///< default initializer of dense layers; auto: per activation
    std::string init_from;  ///< weights file (safetensors) to start from; absolute once resolved
    /// standard, or ntk: a dense layer's weights learn at lr / sqrt(its inputs), as if its
    /// product were scaled by 1 / sqrt(inputs) (neural tangent parametrization, under Adam);
    /// decoupled weight decay keeps lr × weight_decay.
    std::string parametrization = "standard";
    /// true: start dense layers from the training data (nn/data_init.h: unit-variance
    /// pre-activations, biases that put each unit's kink among the data), after `init`.
    bool data_init = false;
    std::vector<LayerSpec> layers;
};

/// The index of the model's last dense layer (its output layer; layers.size() when none).
std::size_t last_dense(const ModelSpec& model);
/// How dense layer `layer` shares its weights between an ensemble's members (LayerSpec::
/// ensemble, its default filled in); empty outside an ensemble.
std::string ensemble_mode(const ModelSpec& model, std::size_t layer);

struct OptimizerSpec {
    std::string type = "adam";  ///< sgd | adam | adamw | rmsprop | adagrad
    double lr = 0.001;
    double momentum = 0.0;      ///< sgd, rmsprop
    bool nesterov = false;      ///< sgd
    double dampening = 0.0;     ///< sgd
    double beta1 = 0.9;         ///< adam, adamw
    double beta2 = 0.999;       ///< adam, adamw
    double eps = 1e-8;          ///< adam, adamw, rmsprop; adagrad 1e-10
    double weight_decay = 0.0;  ///< L2 added to gradients; adamw: decoupled (default 0.01)
    double alpha = 0.99;        ///< rmsprop smoothing
    bool centered = false;      ///< rmsprop
    double lr_decay = 0.0;      ///< adagrad
    double initial_accumulator_value = 0.0;  ///< adagrad
    bool bias_decay = true;  ///< false: weight_decay spares biases (dense layers' "bias")
};

struct ScheduleSpec {
    std::string type = "constant";     ///< constant | step | exponential | cosine | one_cycle |
                                       ///< reduce_on_plateau | coslog | flat_cos
    int cycles = 4;                    ///< coslog: cosine cycles, each twice the last's length
    int step_size = 10;                ///< step: epochs between decays
    double gamma = 0.1;                ///< step, exponential: decay factor
    int t_max = 0;                     ///< cosine: epochs of one half-period; 0: all epochs
    double eta_min = 0.0;              ///< cosine: floor
    int restart_period = 0;            ///< cosine: first restart period in epochs; 0: no restarts
    double restart_mult = 1.0;         ///< cosine: period growth after each restart
    double max_lr = 0.0;               ///< one_cycle: peak; 0: optimizer lr
    double pct_start = 0.3;            ///< one_cycle: fraction of steps spent increasing
    double div_factor = 25.0;          ///< one_cycle: initial lr = max_lr / div_factor
    double final_div_factor = 1e4;     ///< one_cycle: final lr = initial lr / final_div_factor
    std::string monitor = "val_loss";  ///< reduce_on_plateau
    std::string mode = "auto";         ///< reduce_on_plateau: min | max | auto (from monitor)
    double factor = 0.1;               ///< reduce_on_plateau
    int patience = 10;                 ///< reduce_on_plateau
    double threshold = 1e-4;           ///< reduce_on_plateau: relative improvement needed
    int cooldown = 0;                  ///< reduce_on_plateau
    double min_lr = 0.0;               ///< reduce_on_plateau
    double warmup_epochs = 0.0;        ///< linear warmup (per step) before any schedule
    double warmup_start_factor = 0.0;  ///< warmup starts at lr × this
};

struct EarlyStoppingSpec {
    bool enabled = false;
    std::string monitor = "val_loss";
    std::string mode = "auto";  ///< min | max | auto (max for accuracy-like metrics)
    int patience = 5;
    double min_delta = 0.0;
    bool restore_best = true;  ///< restore the best weights at the end, stopped early or not
};

/// k-fold cross-validation: the rows outside the test split are dealt into `folds` folds and a
/// model is trained on each fold's complement, validated on the fold (a fold's run has `fold`).
struct CvSpec {
    int folds = 0;  ///< 0: off; else >= 2
    int fold = 0;   ///< 1..folds: this run trains that fold; 0: the whole cross-validation
};

struct TrainSpec {
    int epochs = 10;
    int batch_size = 32;
    bool shuffle = true;         ///< reshuffle the training rows every epoch (seeded)
    std::string loss;            ///< binary_crossentropy | categorical_crossentropy | mse | mae |
                                 ///< huber
    double huber_delta = 1.0;    ///< huber
    double label_smoothing = 0;  ///< cross-entropies
    std::string class_weight = "none";  ///< none | balanced | custom (see class_weights)
    std::vector<std::pair<std::string, double>> class_weights;  ///< label → weight when custom
    OptimizerSpec optimizer;
    ScheduleSpec schedule;
    /// A factor on every dropout rate over the run: constant, or flat_cos (1 for the first half,
    /// then a cosine down to 0).
    std::string dropout_schedule = "constant";
    std::string weight_decay_schedule = "constant";  ///< the same, on the weight decay
    double clip_norm = 0.0;                          ///< gradient clipping by global norm; 0: off
    double clip_value = 0.0;                         ///< gradient clipping by value; 0: off
    double l1 = 0.0;  ///< kernel penalty of every dense layer (unless the layer sets one)
    double l2 = 0.0;
    EarlyStoppingSpec early_stopping;
    int validate_every = 1;  ///< epochs between validations
    /// Seconds of training: no epoch starts that would end past it (0: no limit). Said in the
    /// spec so that a repeated run stops alike.
    double time_limit = 0.0;
    std::vector<std::string> metrics;  ///< defaults chosen from the loss
    std::string device = "auto";
    int threads = 0;  ///< CPU threads for matrix products; 0: all cores
    /// fp32, or tf32: GPU matrix products on TF32 tensor cores (10-bit mantissa inputs, fp32
    /// accumulation); the CPU computes in fp32 either way.
    std::string precision = "fp32";
    CvSpec cv;
};

struct OutputSpec {
    std::string dir = "runs";  ///< parent of run directories; absolute once resolved
    int checkpoint_every = 1;  ///< epochs between checkpoints/last.safetensors; 0: none
    int keep_checkpoints = 0;  ///< also keep the K newest checkpoints/epoch-NNNN.safetensors
    bool tensorboard = true;   ///< write tensorboard/ (TensorBoard event file) in the run directory
};

struct ExperimentSpec {
    std::string name;
    std::uint64_t seed = 42;
    DataSpec data;
    ModelSpec model;
    TrainSpec train;
    OutputSpec output;
};

}  // namespace dlctl
