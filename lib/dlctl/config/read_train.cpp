#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>

#include "dlctl/config/spec_reader.h"
#include "dlctl/core/device.h"
#include "dlctl/core/error.h"

namespace dlctl::spec_detail {

namespace {

bool positive_int(int v) { return v > 0; }
bool non_negative_int(int v) { return v >= 0; }
bool positive(double v) { return v > 0.0 && std::isfinite(v); }
bool non_negative(double v) { return v >= 0.0 && std::isfinite(v); }
bool fraction(double v) { return v >= 0.0 && v < 1.0; }
bool open_fraction(double v) { return v > 0.0 && v < 1.0; }
bool at_least_one(double v) { return v >= 1.0 && std::isfinite(v); }
bool cycles(int v) { return v >= 1 && v <= 16; }

/// Default learning rate of each optimizer in PyTorch.
double default_lr(const std::string& type) {
    return type == "rmsprop" || type == "adagrad" ? 0.01 : 0.001;
}

void read_optimizer(SpecReader& r, const YAML::Node& train, OptimizerSpec& opt) {
    const std::string path = "train.optimizer";
    const YAML::Node node = SpecReader::child(train, "optimizer");
    if (node.IsDefined() && !r.expect_map(node, path)) return;
    const YAML::Node type_node = SpecReader::child(node, "type");
    r.read(node, "type", path, opt.type);
    const std::size_t before = r.problems().size();
    r.check_choice(opt.type, vocabulary::optimizers(), "optimizer", path + ".type",
                   type_node.IsDefined() ? type_node : train);
    if (r.problems().size() != before) return;

    std::vector<std::string> keys = {"type", "lr", "weight_decay", "bias_decay"};
    const std::string& t = opt.type;
    if (t == "sgd") keys.insert(keys.end(), {"momentum", "nesterov", "dampening"});
    if (t == "adam" || t == "adamw") keys.insert(keys.end(), {"betas", "eps"});
    if (t == "rmsprop") keys.insert(keys.end(), {"alpha", "eps", "momentum", "centered"});
    if (t == "adagrad") keys.insert(keys.end(), {"eps", "lr_decay", "initial_accumulator_value"});
    opt.lr = default_lr(t);
    opt.weight_decay = t == "adamw" ? 0.01 : 0.0;
    opt.eps = t == "adagrad" ? 1e-10 : 1e-8;
    if (!node.IsDefined()) return;
    r.check_keys(node, path, keys);

    r.read_checked(node, "lr", path, opt.lr, positive, "a positive number");
    r.read_checked(node, "weight_decay", path, opt.weight_decay, non_negative, "a number >= 0");
    r.read(node, "bias_decay", path, opt.bias_decay);
    r.read_checked(node, "momentum", path, opt.momentum, fraction, "in [0, 1)");
    r.read(node, "nesterov", path, opt.nesterov);
    r.read_checked(node, "dampening", path, opt.dampening, fraction, "in [0, 1)");
    r.read_checked(node, "eps", path, opt.eps, positive, "a positive number");
    r.read_checked(node, "alpha", path, opt.alpha, open_fraction, "in (0, 1)");
    r.read(node, "centered", path, opt.centered);
    r.read_checked(node, "lr_decay", path, opt.lr_decay, non_negative, "a number >= 0");
    r.read_checked(node, "initial_accumulator_value", path, opt.initial_accumulator_value,
                   non_negative, "a number >= 0");
    if (const YAML::Node betas = node["betas"]; betas.IsDefined()) {
        if (!betas.IsSequence() || betas.size() != 2 || !betas[0].IsScalar() ||
            !betas[1].IsScalar()) {
            r.problem(path + ".betas", betas, "expected a list of two numbers, e.g. [0.9, 0.999]");
        } else {
            double b[2] = {-1.0, -1.0};
            for (int i = 0; i < 2; ++i) {
                try {
                    b[i] = betas[i].as<double>();
                } catch (const YAML::Exception&) {
                }
            }
            if (!fraction(b[0]) || !fraction(b[1])) {
                r.problem(path + ".betas", betas,
                          "both betas must be numbers in [0, 1), e.g. [0.9, 0.999]");
            } else {
                opt.beta1 = b[0];
                opt.beta2 = b[1];
            }
        }
    }
    if (opt.nesterov && (opt.momentum <= 0.0 || opt.dampening != 0.0)) {
        r.problem(path + ".nesterov", node["nesterov"],
                  "nesterov needs momentum > 0 and dampening 0 (as in PyTorch)");
    }
}

void read_schedule(SpecReader& r, const YAML::Node& train, ScheduleSpec& s) {
    const std::string path = "train.schedule";
    const YAML::Node node = SpecReader::child(train, "schedule");
    if (!node.IsDefined()) return;
    if (!r.expect_map(node, path)) return;
    r.read(node, "type", path, s.type);
    const std::size_t before = r.problems().size();
    r.check_choice(s.type, vocabulary::schedules(), "schedule", path + ".type",
                   node["type"].IsDefined() ? node["type"] : node);
    if (r.problems().size() != before) return;

    std::vector<std::string> keys = {"type", "warmup_epochs", "warmup_start_factor"};
    const std::string& t = s.type;
    if (t == "step") keys.insert(keys.end(), {"step_size", "gamma"});
    if (t == "exponential") keys.insert(keys.end(), {"gamma"});
    if (t == "cosine")
        keys.insert(keys.end(), {"t_max", "eta_min", "restart_period", "restart_mult"});
    if (t == "one_cycle")
        keys.insert(keys.end(), {"max_lr", "pct_start", "div_factor", "final_div_factor"});
    if (t == "reduce_on_plateau") {
        keys.insert(keys.end(),
                    {"monitor", "mode", "factor", "patience", "threshold", "cooldown", "min_lr"});
    }
    if (t == "coslog") keys.insert(keys.end(), {"cycles"});
    if (t == "exponential" && !node["gamma"].IsDefined()) s.gamma = 0.95;
    r.check_keys(node, path, keys);
    r.read_checked(node, "step_size", path, s.step_size, positive_int, "a positive integer");
    r.read_checked(node, "cycles", path, s.cycles, cycles, "an integer in [1, 16]");
    r.read_checked(node, "gamma", path, s.gamma, positive, "a positive number");
    r.read_checked(node, "t_max", path, s.t_max, non_negative_int, "an integer >= 0");
    r.read_checked(node, "eta_min", path, s.eta_min, non_negative, "a number >= 0");
    r.read_checked(node, "restart_period", path, s.restart_period, non_negative_int,
                   "an integer >= 0");
    r.read_checked(node, "restart_mult", path, s.restart_mult, at_least_one, "a number >= 1");
    r.read_checked(node, "max_lr", path, s.max_lr, non_negative, "a number >= 0");
    r.read_checked(node, "pct_start", path, s.pct_start, open_fraction, "in (0, 1)");
    r.read_checked(node, "div_factor", path, s.div_factor, positive, "a positive number");
    r.read_checked(node, "final_div_factor", path, s.final_div_factor, positive,
                   "a positive number");
    r.read(node, "monitor", path, s.monitor);
    if (r.read(node, "mode", path, s.mode) && s.mode != "min" && s.mode != "max" &&
        s.mode != "auto") {
        r.problem(path + ".mode", node["mode"], "must be min, max or auto, got '" + s.mode + "'");
    }
    r.read_checked(node, "factor", path, s.factor, open_fraction, "in (0, 1)");
    r.read_checked(node, "patience", path, s.patience, non_negative_int, "an integer >= 0");
    r.read_checked(node, "threshold", path, s.threshold, non_negative, "a number >= 0");
    r.read_checked(node, "cooldown", path, s.cooldown, non_negative_int, "an integer >= 0");
    r.read_checked(node, "min_lr", path, s.min_lr, non_negative, "a number >= 0");
    r.read_checked(node, "warmup_epochs", path, s.warmup_epochs, non_negative, "a number >= 0");
    r.read_checked(node, "warmup_start_factor", path, s.warmup_start_factor, fraction, "in [0, 1)");
}

void read_early_stopping(SpecReader& r, const YAML::Node& train, EarlyStoppingSpec& e) {
    const std::string path = "train.early_stopping";
    const YAML::Node node = SpecReader::child(train, "early_stopping");
    if (!node.IsDefined() || node.IsNull()) return;
    if (!r.expect_map(node, path)) return;
    e.enabled = true;
    r.check_keys(node, path,
                 {"enabled", "monitor", "mode", "patience", "min_delta", "restore_best"});
    r.read(node, "enabled", path, e.enabled);
    r.read(node, "monitor", path, e.monitor);
    if (r.read(node, "mode", path, e.mode) && e.mode != "min" && e.mode != "max" &&
        e.mode != "auto") {
        r.problem(path + ".mode", node["mode"], "must be min, max or auto, got '" + e.mode + "'");
    }
    r.read_checked(node, "patience", path, e.patience, non_negative_int, "an integer >= 0");
    r.read_checked(node, "min_delta", path, e.min_delta, non_negative, "a number >= 0");
    r.read(node, "restore_best", path, e.restore_best);
}

void read_class_weight(SpecReader& r, const YAML::Node& train, TrainSpec& t) {
    const YAML::Node node = SpecReader::child(train, "class_weight");
    if (!node.IsDefined() || node.IsNull()) return;
    const std::string path = "train.class_weight";
    if (node.IsScalar()) {
        r.read(train, "class_weight", "train", t.class_weight);
        if (t.class_weight != "none" && t.class_weight != "balanced") {
            r.problem(path, node,
                      "expected 'none', 'balanced' or a mapping of label to weight, got '" +
                          t.class_weight + "'");
        }
        return;
    }
    if (!r.expect_map(node, path)) return;
    t.class_weight = "custom";
    for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string label = it->first.Scalar();
        double weight = 1.0;
        if (r.read_checked(node, label, path, weight, non_negative, "a weight >= 0")) {
            t.class_weights.emplace_back(label, weight);
        }
    }
}

void read_gradient_clip(SpecReader& r, const YAML::Node& train, TrainSpec& t) {
    const YAML::Node node = SpecReader::child(train, "gradient_clip");
    if (!node.IsDefined() || node.IsNull()) return;
    const std::string path = "train.gradient_clip";
    if (!r.expect_map(node, path)) return;
    r.check_keys(node, path, {"norm", "value"});
    r.read_checked(node, "norm", path, t.clip_norm, non_negative, "a number >= 0 (0: off)");
    r.read_checked(node, "value", path, t.clip_value, non_negative, "a number >= 0 (0: off)");
}

void read_regularization(SpecReader& r, const YAML::Node& train, TrainSpec& t) {
    const YAML::Node node = SpecReader::child(train, "regularization");
    if (!node.IsDefined() || node.IsNull()) return;
    const std::string path = "train.regularization";
    if (!r.expect_map(node, path)) return;
    r.check_keys(node, path, {"l1", "l2"});
    r.read_checked(node, "l1", path, t.l1, non_negative, "a number >= 0");
    r.read_checked(node, "l2", path, t.l2, non_negative, "a number >= 0");
}

void read_cv(SpecReader& r, const YAML::Node& train, CvSpec& cv) {
    const YAML::Node node = SpecReader::child(train, "cv");
    if (!node.IsDefined() || node.IsNull()) return;
    const std::string path = "train.cv";
    if (!r.expect_map(node, path)) return;
    r.check_keys(node, path, {"folds", "fold"});
    r.read_checked(
        node, "folds", path, cv.folds, [](int k) { return k == 0 || k >= 2; },
        "an integer >= 2 (0: no cross-validation)");
    if (r.read_checked(node, "fold", path, cv.fold, non_negative_int, "an integer >= 0") &&
        cv.fold > cv.folds) {
        r.problem(path + ".fold", node["fold"],
                  cv.folds == 0 ? std::string("a fold's run needs train.cv.folds")
                                : fmt::format("must be a fold of 1..{} (train.cv.folds), got {}",
                                              cv.folds, cv.fold));
    }
}

}  // namespace

void read_train(SpecReader& r, const YAML::Node& root, const std::string& task, TrainSpec& train) {
    const YAML::Node node = root["train"];
    if (!node.IsDefined()) {
        r.problem("train", root, "missing required section 'train' (with at least loss)");
        return;
    }
    if (!r.expect_map(node, "train")) return;
    r.check_keys(node, "train",
                 {"epochs",
                  "batch_size",
                  "shuffle",
                  "loss",
                  "huber_delta",
                  "label_smoothing",
                  "class_weight",
                  "optimizer",
                  "schedule",
                  "gradient_clip",
                  "regularization",
                  "early_stopping",
                  "validate_every",
                  "metrics",
                  "device",
                  "threads",
                  "precision",
                  "time_limit",
                  "dropout_schedule",
                  "weight_decay_schedule",
                  "cv"});
    r.read_checked(node, "epochs", "train", train.epochs, positive_int, "a positive integer");
    r.read_checked(node, "batch_size", "train", train.batch_size, positive_int,
                   "a positive integer");
    r.read_checked(node, "validate_every", "train", train.validate_every, positive_int,
                   "a positive integer");
    r.read(node, "shuffle", "train", train.shuffle);
    r.read_checked(node, "time_limit", "train", train.time_limit, non_negative,
                   "a number of seconds >= 0 (0: none)");
    r.read_checked(node, "threads", "train", train.threads, non_negative_int,
                   "an integer >= 0 (0: all cores)");
    if (!node["loss"].IsDefined() && task != "auto") {
        train.loss = task == "binary"       ? "binary_crossentropy"
                     : task == "multiclass" ? "categorical_crossentropy"
                                            : "mse";
    } else if (!node["loss"].IsDefined()) {
        r.problem("train.loss", node,
                  "missing required key (one of " + quoted_list(vocabulary::losses().supported) +
                      "), or set data.task");
    } else if (r.read(node, "loss", "train", train.loss)) {
        r.check_choice(train.loss, vocabulary::losses(), "loss", "train.loss", node["loss"]);
    }
    r.read_checked(node, "huber_delta", "train", train.huber_delta, positive, "a positive number");
    r.read_checked(node, "label_smoothing", "train", train.label_smoothing, fraction, "in [0, 1)");
    read_class_weight(r, node, train);
    if (node["metrics"].IsDefined()) {
        r.read_list(node, "metrics", "train", train.metrics);
    } else {
        train.metrics = vocabulary::default_metrics(train.loss);
    }
    if (r.read(node, "device", "train", train.device)) {
        try {
            train.device = to_string(parse_device(train.device));
        } catch (const Error& e) {
            r.problem("train.device", node["device"], std::string(e.what()) + "; " + e.hint());
        }
    }
    if (r.read(node, "precision", "train", train.precision)) {
        r.check_choice(train.precision, vocabulary::precisions(), "precision", "train.precision",
                       node["precision"]);
    }
    for (auto [key, value] : {std::pair{"dropout_schedule", &train.dropout_schedule},
                              std::pair{"weight_decay_schedule", &train.weight_decay_schedule}}) {
        if (r.read(node, key, "train", *value)) {
            r.check_choice(*value, vocabulary::factor_schedules(), "schedule",
                           std::string("train.") + key, node[key]);
        }
    }
    read_optimizer(r, node, train.optimizer);
    read_schedule(r, node, train.schedule);
    read_gradient_clip(r, node, train);
    read_regularization(r, node, train);
    read_early_stopping(r, node, train.early_stopping);
    read_cv(r, node, train.cv);
}

}  // namespace dlctl::spec_detail
