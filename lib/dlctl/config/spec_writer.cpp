#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "dlctl/config/spec_loader.h"
#include "dlctl/config/spec_reader.h"

namespace dlctl {

namespace {

/// Shortest text that reads back as the same double ("0.1", not "0.10000000000000001").
std::string number(double value) { return fmt::format("{}", value); }

void write_layer(YAML::Emitter& out, const LayerSpec& layer) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "type" << YAML::Value << layer.type;
    auto activation = [&] {
        out << YAML::Key << "activation" << YAML::Value << layer.activation;
        if (spec_detail::takes_alpha(layer.activation)) {
            out << YAML::Key << "alpha" << YAML::Value << number(layer.alpha);
        }
    };
    if (layer.type == "dense") {
        out << YAML::Key << "units" << YAML::Value << layer.units;
        activation();
        out << YAML::Key << "use_bias" << YAML::Value << layer.use_bias;
        out << YAML::Key << "init" << YAML::Value << layer.init;
        // Penalties a layer did not set follow train.regularization, so they stay unwritten.
        if (layer.l1 >= 0.0) out << YAML::Key << "l1" << YAML::Value << number(layer.l1);
        if (layer.l2 >= 0.0) out << YAML::Key << "l2" << YAML::Value << number(layer.l2);
        if (!layer.ensemble.empty())
            out << YAML::Key << "ensemble" << YAML::Value << layer.ensemble;
        // Learning-rate factors are written where a layer has them, as penalties are.
        if (layer.lr_scale != 1.0)
            out << YAML::Key << "lr_scale" << YAML::Value << number(layer.lr_scale);
        if (layer.bias_lr_scale != 1.0)
            out << YAML::Key << "bias_lr_scale" << YAML::Value << number(layer.bias_lr_scale);
    } else if (layer.type == "dropout") {
        out << YAML::Key << "rate" << YAML::Value << number(layer.rate);
    } else if (layer.type == "activation") {
        activation();
        if (layer.parametric) {
            out << YAML::Key << "parametric" << YAML::Value << true;
            out << YAML::Key << "lr_scale" << YAML::Value << number(layer.lr_scale);
        }
    } else if (layer.type == "bin_embedding") {
        out << YAML::Key << "units" << YAML::Value << layer.units;
        out << YAML::Key << "activation" << YAML::Value << layer.activation;
    } else if (layer.type == "category_embedding") {
        out << YAML::Key << "units" << YAML::Value << layer.units;
    } else if (layer.type == "periodic_embedding") {
        out << YAML::Key << "units" << YAML::Value << layer.units;
        out << YAML::Key << "frequencies" << YAML::Value << layer.frequencies;
        out << YAML::Key << "sigma" << YAML::Value << number(layer.sigma);
    } else if (layer.type == "scale") {
        out << YAML::Key << "lr_scale" << YAML::Value << number(layer.lr_scale);
    } else if (layer.type == "batch_norm") {
        out << YAML::Key << "momentum" << YAML::Value << number(layer.momentum);
        out << YAML::Key << "eps" << YAML::Value << number(layer.eps);
    } else if (layer.type == "layer_norm") {
        out << YAML::Key << "eps" << YAML::Value << number(layer.eps);
    } else if (layer.type == "ensemble") {
        out << YAML::Key << "members" << YAML::Value << layer.members;
        out << YAML::Key << "scale" << YAML::Value << layer.scale;
    }
    out << YAML::EndMap;
}

void write_optimizer(YAML::Emitter& out, const OptimizerSpec& o) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << o.type;
    out << YAML::Key << "lr" << YAML::Value << number(o.lr);
    out << YAML::Key << "weight_decay" << YAML::Value << number(o.weight_decay);
    out << YAML::Key << "bias_decay" << YAML::Value << o.bias_decay;
    if (o.type == "sgd") {
        out << YAML::Key << "momentum" << YAML::Value << number(o.momentum);
        out << YAML::Key << "nesterov" << YAML::Value << o.nesterov;
        out << YAML::Key << "dampening" << YAML::Value << number(o.dampening);
    } else if (o.type == "adam" || o.type == "adamw") {
        out << YAML::Key << "betas" << YAML::Value << YAML::Flow << YAML::BeginSeq
            << number(o.beta1) << number(o.beta2) << YAML::EndSeq;
        out << YAML::Key << "eps" << YAML::Value << number(o.eps);
    } else if (o.type == "rmsprop") {
        out << YAML::Key << "alpha" << YAML::Value << number(o.alpha);
        out << YAML::Key << "eps" << YAML::Value << number(o.eps);
        out << YAML::Key << "momentum" << YAML::Value << number(o.momentum);
        out << YAML::Key << "centered" << YAML::Value << o.centered;
    } else if (o.type == "adagrad") {
        out << YAML::Key << "eps" << YAML::Value << number(o.eps);
        out << YAML::Key << "lr_decay" << YAML::Value << number(o.lr_decay);
        out << YAML::Key << "initial_accumulator_value" << YAML::Value
            << number(o.initial_accumulator_value);
    }
    out << YAML::EndMap;
}

void write_schedule(YAML::Emitter& out, const ScheduleSpec& s) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << s.type;
    if (s.type == "step") {
        out << YAML::Key << "step_size" << YAML::Value << s.step_size;
        out << YAML::Key << "gamma" << YAML::Value << number(s.gamma);
    } else if (s.type == "exponential") {
        out << YAML::Key << "gamma" << YAML::Value << number(s.gamma);
    } else if (s.type == "cosine") {
        out << YAML::Key << "t_max" << YAML::Value << s.t_max;
        out << YAML::Key << "eta_min" << YAML::Value << number(s.eta_min);
        out << YAML::Key << "restart_period" << YAML::Value << s.restart_period;
        out << YAML::Key << "restart_mult" << YAML::Value << number(s.restart_mult);
    } else if (s.type == "one_cycle") {
        out << YAML::Key << "max_lr" << YAML::Value << number(s.max_lr);
        out << YAML::Key << "pct_start" << YAML::Value << number(s.pct_start);
        out << YAML::Key << "div_factor" << YAML::Value << number(s.div_factor);
        out << YAML::Key << "final_div_factor" << YAML::Value << number(s.final_div_factor);
    } else if (s.type == "coslog") {
        out << YAML::Key << "cycles" << YAML::Value << s.cycles;
    } else if (s.type == "reduce_on_plateau") {
        out << YAML::Key << "monitor" << YAML::Value << s.monitor;
        out << YAML::Key << "mode" << YAML::Value << s.mode;
        out << YAML::Key << "factor" << YAML::Value << number(s.factor);
        out << YAML::Key << "patience" << YAML::Value << s.patience;
        out << YAML::Key << "threshold" << YAML::Value << number(s.threshold);
        out << YAML::Key << "cooldown" << YAML::Value << s.cooldown;
        out << YAML::Key << "min_lr" << YAML::Value << number(s.min_lr);
    }
    out << YAML::Key << "warmup_epochs" << YAML::Value << number(s.warmup_epochs);
    out << YAML::Key << "warmup_start_factor" << YAML::Value << number(s.warmup_start_factor);
    out << YAML::EndMap;
}

}  // namespace

std::string to_yaml(const ExperimentSpec& spec) {
    YAML::Emitter out;
    out.SetIndent(2);
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << spec.name;
    out << YAML::Key << "seed" << YAML::Value << spec.seed;

    const DataSpec& d = spec.data;
    out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "path" << YAML::Value << d.path;
    out << YAML::Key << "target" << YAML::Value << d.target;
    out << YAML::Key << "features" << YAML::Value << YAML::Flow << d.features;
    out << YAML::Key << "drop" << YAML::Value << YAML::Flow << d.drop;
    out << YAML::Key << "sample_weight" << YAML::Value << d.sample_weight;
    out << YAML::Key << "delimiter" << YAML::Value << YAML::DoubleQuoted << d.delimiter;
    out << YAML::Key << "header" << YAML::Value << d.header;
    out << YAML::Key << "normalize" << YAML::Value << d.normalize;
    out << YAML::Key << "bins" << YAML::Value << d.bins;
    out << YAML::Key << "target_normalize" << YAML::Value << d.target_normalize;
    out << YAML::Key << "normalize_columns" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [name, method] : d.normalize_columns) {
        out << YAML::Key << name << YAML::Value << method;
    }
    out << YAML::EndMap;
    out << YAML::Key << "columns" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [name, type] : d.columns) out << YAML::Key << name << YAML::Value << type;
    out << YAML::EndMap;
    out << YAML::Key << "na_values" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& v : d.na_values) out << YAML::DoubleQuoted << v;
    out << YAML::EndSeq;
    out << YAML::Key << "missing" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "numeric" << YAML::Value << d.missing.numeric;
    out << YAML::Key << "categorical" << YAML::Value << d.missing.categorical;
    out << YAML::Key << "fill_value" << YAML::Value << number(d.missing.fill_value);
    out << YAML::Key << "fill_category" << YAML::Value << YAML::DoubleQuoted
        << d.missing.fill_category;
    out << YAML::Key << "indicators" << YAML::Value << d.missing.indicators;
    out << YAML::EndMap;
    out << YAML::Key << "max_categories" << YAML::Value << d.max_categories;
    out << YAML::Key << "unseen_categories" << YAML::Value << d.unseen_categories;
    out << YAML::Key << "embed_categories" << YAML::Value << d.embed_categories;
    out << YAML::Key << "positive_label" << YAML::Value << YAML::DoubleQuoted << d.positive_label;
    out << YAML::Key << "task" << YAML::Value << d.task;
    out << YAML::Key << "cache" << YAML::Value << d.cache;
    out << YAML::Key << "cache_dir" << YAML::Value << d.cache_dir;
    out << YAML::Key << "in_memory" << YAML::Value << d.in_memory;
    out << YAML::Key << "memory_budget" << YAML::Value << d.memory_budget;
    out << YAML::Key << "rank_reads" << YAML::Value << d.rank_reads;
    out << YAML::Key << "split" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "test" << YAML::Value << number(d.split.test);
    out << YAML::Key << "validation" << YAML::Value << number(d.split.validation);
    out << YAML::Key << "shuffle" << YAML::Value << d.split.shuffle;
    out << YAML::Key << "stratify" << YAML::Value << d.split.stratify;
    out << YAML::EndMap;
    out << YAML::Key << "validation_file" << YAML::Value << d.validation_file;
    out << YAML::Key << "test_file" << YAML::Value << d.test_file;
    out << YAML::EndMap;

    out << YAML::Key << "model" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "init" << YAML::Value << spec.model.init;
    out << YAML::Key << "init_from" << YAML::Value << spec.model.init_from;
    out << YAML::Key << "parametrization" << YAML::Value << spec.model.parametrization;
    out << YAML::Key << "data_init" << YAML::Value << spec.model.data_init;
    out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
    for (const LayerSpec& layer : spec.model.layers) write_layer(out, layer);
    out << YAML::EndSeq << YAML::EndMap;

    const TrainSpec& t = spec.train;
    out << YAML::Key << "train" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "epochs" << YAML::Value << t.epochs;
    out << YAML::Key << "batch_size" << YAML::Value << t.batch_size;
    out << YAML::Key << "shuffle" << YAML::Value << t.shuffle;
    out << YAML::Key << "loss" << YAML::Value << t.loss;
    out << YAML::Key << "huber_delta" << YAML::Value << number(t.huber_delta);
    out << YAML::Key << "label_smoothing" << YAML::Value << number(t.label_smoothing);
    out << YAML::Key << "class_weight" << YAML::Value;
    if (t.class_weight == "custom") {
        out << YAML::Flow << YAML::BeginMap;
        for (const auto& [label, weight] : t.class_weights) {
            out << YAML::Key << label << YAML::Value << number(weight);
        }
        out << YAML::EndMap;
    } else {
        out << t.class_weight;
    }
    out << YAML::Key << "optimizer" << YAML::Value;
    write_optimizer(out, t.optimizer);
    out << YAML::Key << "schedule" << YAML::Value;
    write_schedule(out, t.schedule);
    out << YAML::Key << "dropout_schedule" << YAML::Value << t.dropout_schedule;
    out << YAML::Key << "weight_decay_schedule" << YAML::Value << t.weight_decay_schedule;
    out << YAML::Key << "gradient_clip" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
        << "norm" << YAML::Value << number(t.clip_norm) << YAML::Key << "value" << YAML::Value
        << number(t.clip_value) << YAML::EndMap;
    out << YAML::Key << "regularization" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
        << "l1" << YAML::Value << number(t.l1) << YAML::Key << "l2" << YAML::Value << number(t.l2)
        << YAML::EndMap;
    const EarlyStoppingSpec& e = t.early_stopping;
    out << YAML::Key << "early_stopping" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "enabled" << YAML::Value << e.enabled;
    out << YAML::Key << "monitor" << YAML::Value << e.monitor;
    out << YAML::Key << "mode" << YAML::Value << e.mode;
    out << YAML::Key << "patience" << YAML::Value << e.patience;
    out << YAML::Key << "min_delta" << YAML::Value << number(e.min_delta);
    out << YAML::Key << "restore_best" << YAML::Value << e.restore_best;
    out << YAML::EndMap;
    out << YAML::Key << "validate_every" << YAML::Value << t.validate_every;
    out << YAML::Key << "time_limit" << YAML::Value << number(t.time_limit);
    out << YAML::Key << "metrics" << YAML::Value << YAML::Flow << t.metrics;
    out << YAML::Key << "device" << YAML::Value << t.device;
    out << YAML::Key << "threads" << YAML::Value << t.threads;
    out << YAML::Key << "precision" << YAML::Value << t.precision;
    out << YAML::Key << "cv" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "folds"
        << YAML::Value << t.cv.folds << YAML::Key << "fold" << YAML::Value << t.cv.fold
        << YAML::EndMap;
    out << YAML::EndMap;

    out << YAML::Key << "output" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "dir" << YAML::Value << spec.output.dir;
    out << YAML::Key << "checkpoint_every" << YAML::Value << spec.output.checkpoint_every;
    out << YAML::Key << "keep_checkpoints" << YAML::Value << spec.output.keep_checkpoints;
    out << YAML::Key << "tensorboard" << YAML::Value << spec.output.tensorboard;
    out << YAML::EndMap;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace dlctl
