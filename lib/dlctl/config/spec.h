#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dlctl {

/// The experiment spec as plain data. Every field has its default here; `load_spec` fills it from
/// YAML and `to_yaml` writes it back with every default spelled out.

struct SplitSpec {
    double test = 0.2;        ///< fraction of rows held out for the final test
    double validation = 0.1;  ///< fraction of rows for per-epoch validation
    bool shuffle = true;      ///< shuffle rows (seeded) before splitting
};

struct DataSpec {
    std::string path;                   ///< CSV file; absolute once resolved
    std::string target;                 ///< target column name
    std::vector<std::string> features;  ///< empty: every column but target and `drop`
    std::vector<std::string> drop;      ///< columns to ignore
    std::string delimiter = ",";
    std::string normalize = "standard";  ///< standard | minmax | none
    SplitSpec split;
};

struct LayerSpec {
    std::string type;                   ///< dense | dropout
    int units = 0;                      ///< dense
    std::string activation = "linear";  ///< dense
    bool use_bias = true;               ///< dense
    std::string init;                   ///< dense; resolved from the activation when empty
    double rate = 0.0;                  ///< dropout
};

struct ModelSpec {
    std::vector<LayerSpec> layers;
};

struct OptimizerSpec {
    std::string type = "sgd";
    double lr = 0.01;
    double momentum = 0.0;
};

struct TrainSpec {
    int epochs = 10;
    int batch_size = 32;
    std::string loss;  ///< binary_crossentropy | mse
    OptimizerSpec optimizer;
    std::vector<std::string> metrics;  ///< defaults chosen from the loss
    std::string device = "auto";
};

struct OutputSpec {
    std::string dir = "runs";  ///< parent of run directories; absolute once resolved
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
