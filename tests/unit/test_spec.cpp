#include <catch2/catch.hpp>
#include <string>

#include "dlctl/config/spec_diff.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/core/error.h"
#include "support/temp_dir.h"
#include "unit/spec_fixtures.h"

using Catch::Matchers::Contains;
using dlctl::ExperimentSpec;
using dlctl::SpecError;
using dlctl::test::kValidSpec;

namespace {

ExperimentSpec load(const std::string& yaml, const std::vector<std::string>& sets = {}) {
    return dlctl::load_spec_from_string(yaml, "spec.yaml", "/base", sets);
}

/// The problems reported for `yaml`, which must be invalid.
std::vector<std::string> problems(const std::string& yaml,
                                  const std::vector<std::string>& sets = {}) {
    try {
        load(yaml, sets);
    } catch (const SpecError& e) {
        CHECK(e.code() == dlctl::ExitCode::kUsage);
        return e.problems();
    }
    FAIL("spec was accepted but should have been rejected");
    return {};
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

std::string only_problem(const std::string& yaml, const std::vector<std::string>& sets = {}) {
    const auto list = problems(yaml, sets);
    REQUIRE(list.size() == 1);
    return list.front();
}

}  // namespace

TEST_CASE("a valid spec loads with every default filled in", "[config]") {
    const ExperimentSpec spec = load(kValidSpec);
    CHECK(spec.name == "unit");
    CHECK(spec.seed == 7);
    CHECK(spec.data.path == "/base/data.csv");
    CHECK(spec.data.normalize == "standard");
    CHECK(spec.data.split.shuffle);
    REQUIRE(spec.model.layers.size() == 3);
    CHECK(spec.model.layers[0].init == "he_normal");       // relu default
    CHECK(spec.model.layers[2].init == "glorot_uniform");  // sigmoid default
    CHECK(spec.train.metrics == std::vector<std::string>{"accuracy"});
    CHECK(spec.train.device == "auto");
    CHECK(spec.train.precision == "fp32");
    CHECK(spec.train.optimizer.momentum == 0.0);
}

TEST_CASE("the resolved YAML reads back as the same spec", "[config]") {
    const ExperimentSpec spec = load(kValidSpec, {"train.optimizer.lr=0.003", "data.drop=[a, b]"});
    const std::string yaml = dlctl::to_yaml(spec);
    const ExperimentSpec again = load(yaml);
    CHECK(dlctl::to_yaml(again) == yaml);
    CHECK_THAT(yaml, Contains("lr: 0.003"));
    CHECK_THAT(yaml, Contains("init: he_normal"));
    CHECK_THAT(yaml, Contains("metrics: [accuracy]"));
}

TEST_CASE("an unknown key names file:line:col, the key path and the closest valid key",
          "[config]") {
    const std::string p = only_problem(replace(kValidSpec, "  epochs: 3", "  epoch: 3"));
    CHECK_THAT(p, Contains("spec.yaml:13:3: train.epoch: unknown key 'epoch'"));
    CHECK_THAT(p, Contains("did you mean 'epochs'?"));
}

TEST_CASE("unknown top-level and layer keys are errors", "[config]") {
    CHECK_THAT(only_problem(kValidSpec + "outptu: {dir: x}\n"), Contains("did you mean 'output'?"));
    CHECK_THAT(only_problem(replace(kValidSpec, "units: 8,", "unit: 8, units: 8,")),
               Contains("model.layers.0.unit: unknown key"));
}

TEST_CASE("a value of the wrong type is an error with its location", "[config]") {
    const std::string p = only_problem(replace(kValidSpec, "epochs: 3", "epochs: three"));
    CHECK_THAT(p, Contains("spec.yaml:13:11: train.epochs: expected an integer, got 'three'"));
    CHECK_THAT(only_problem(replace(kValidSpec, "lr: 0.1", "lr: [1]")),
               Contains("train.optimizer.lr: expected a number, got a list"));
    CHECK_THAT(only_problem(replace(kValidSpec, "seed: 7", "seed: -1")),
               Contains("seed: must be a non-negative integer"));
    CHECK_THAT(only_problem(replace(kValidSpec,
                                    "data:\n  path: data.csv\n  target: y\n  split: {test: 0.2, "
                                    "validation: 0.1}\n",
                                    "data: 3\n")),
               Contains("spec.yaml:3:7: data: expected a mapping of keys to values, got '3'"));
}

TEST_CASE("out-of-range values are errors", "[config]") {
    struct Case {
        std::string from, to, expected;
    };
    const Case cases[] = {
        {"units: 8", "units: 0", "model.layers.0.units: must be a positive integer, got 0"},
        {"rate: 0.5", "rate: 1", "model.layers.1.rate: must be in [0, 1), got 1"},
        {"lr: 0.1", "lr: 0", "train.optimizer.lr: must be a positive number, got 0"},
        {"lr: 0.1", "lr: -0.5", "train.optimizer.lr: must be a positive number"},
        {"batch_size: 4", "batch_size: 0", "train.batch_size: must be a positive integer, got 0"},
        {"epochs: 3", "epochs: 0", "train.epochs: must be a positive integer, got 0"},
        {"test: 0.2, validation: 0.1", "test: 0.5, validation: 0.5",
         "data.split: test + validation = 1 leaves no training rows"},
        {"test: 0.2", "test: 1.5", "data.split.test: must be a fraction in [0, 1), got 1.5"},
        {"lr: 0.1}", "lr: 0.1, momentum: 1}", "train.optimizer.momentum: must be in [0, 1)"},
    };
    for (const Case& c : cases) {
        INFO(c.to);
        CHECK_THAT(only_problem(replace(kValidSpec, c.from, c.to)), Contains(c.expected));
    }
}

TEST_CASE("every problem of a spec is reported at once", "[config]") {
    std::string yaml = replace(kValidSpec, "units: 8", "units: -1");
    yaml = replace(yaml, "epochs: 3", "epochz: 3");
    yaml = replace(yaml, "batch_size: 4", "batch_size: 0");
    const auto list = problems(yaml);
    REQUIRE(list.size() == 3);
    CHECK_THAT(list[0], Contains("spec.yaml:9:28: model.layers.0.units"));
    CHECK_THAT(list[1], Contains("spec.yaml:13:3: train.epochz"));
    CHECK_THAT(list[2], Contains("spec.yaml:14:15: train.batch_size"));
    try {
        load(yaml);
    } catch (const SpecError& e) {
        CHECK_THAT(std::string(e.what()), Contains("3 problems in the experiment spec"));
    }
}

TEST_CASE("enumerated values list what is accepted", "[config]") {
    CHECK_THAT(only_problem(replace(kValidSpec, "activation: relu", "activation: rellu")),
               Contains("spec.yaml:9:43: model.layers.0.activation: unknown activation 'rellu' "
                        "(did you mean 'relu'?); supported: 'linear', 'relu', 'leaky_relu'"));
    CHECK_THAT(only_problem(replace(kValidSpec, "type: sgd", "type: adamm")),
               Contains("unknown optimizer 'adamm' (did you mean 'adam'?); supported: 'sgd', "
                        "'adam', 'adamw', 'rmsprop', 'adagrad'"));
    CHECK_THAT(only_problem(replace(kValidSpec, "type: dropout", "type: dropuot")),
               Contains("unknown layer type 'dropuot' (did you mean 'dropout'?)"));
    CHECK_THAT(only_problem(kValidSpec + "  precision: fp64\n"),
               Contains("train.precision: unknown precision 'fp64' (did you mean 'fp32'?); "
                        "supported: 'fp32', 'tf32'"));
    CHECK_THAT(only_problem(kValidSpec + "  precision: bf16\n"),
               Contains("train.precision: precision 'bf16' is not yet supported"));
    CHECK_THAT(only_problem(kValidSpec + "  device: tpu\n"),
               Contains("train.device: invalid device 'tpu'; accepted forms: 'auto', 'cpu', "
                        "'cuda', 'cuda:N'"));
    CHECK_THAT(only_problem(kValidSpec + "  metrics: [accuracy, rmse]\n"),
               Contains("train.metrics.1: metric 'rmse' is not available for loss "
                        "'binary_crossentropy'; supported: 'accuracy', 'precision'"));
    CHECK_THAT(
        only_problem(replace(kValidSpec, "  target: y\n", "  target: y\n  normalize: robus\n")),
        Contains("unknown normalization 'robus' (did you mean 'robust'?)"));
    CHECK_THAT(only_problem(replace(kValidSpec, "  target: y\n",
                                    "  target: y\n  missing: {numeric: avg}\n")),
               Contains("data.missing.numeric: must be mean, median, constant, drop_row or "
                        "error, got avg"));
    CHECK_THAT(
        only_problem(replace(kValidSpec, "  target: y\n", "  target: y\n  columns: {zip: text}\n")),
        Contains("data.columns.zip: must be numeric, boolean, categorical or ignore, got 'text'"));
    CHECK_THAT(only_problem(kValidSpec + "  schedule: {type: cosin}\n"),
               Contains("unknown schedule 'cosin' (did you mean 'cosine'?)"));
}

TEST_CASE("loss and output layer must fit together", "[config]") {
    CHECK_THAT(only_problem(replace(kValidSpec, "units: 1, activation: sigmoid",
                                    "units: 2, activation: relu")),
               Contains("model.layers.2: loss 'binary_crossentropy' needs an output of units: 1 "
                        "and activation: sigmoid, got units: 2, activation: relu"));
    CHECK_THAT(only_problem(
                   replace(kValidSpec, "    - {type: dense, units: 1, activation: sigmoid}\n", "")),
               Contains("the last layer must be dense or activation"));
    const std::string multiclass = replace(
        replace(kValidSpec, "units: 1, activation: sigmoid", "units: 1, activation: softmax"),
        "loss: binary_crossentropy", "loss: categorical_crossentropy");
    CHECK_THAT(only_problem(multiclass),
               Contains("loss 'categorical_crossentropy' needs an output of units: <number of "
                        "classes> (at least 2) and activation: softmax, got units: 1"));
    CHECK_THAT(
        only_problem(replace(replace(kValidSpec, "activation: sigmoid", "activation: softmax"),
                             "loss: binary_crossentropy", "loss: mse")),
        Contains("loss 'mse' predicts one target column: the output needs units: 1 and no "
                 "softmax, got units: 1, activation: softmax"));
}

TEST_CASE("missing required keys and sections are named", "[config]") {
    CHECK_THAT(only_problem(replace(kValidSpec, "  target: y\n", "")),
               Contains("data.target: missing required key"));
    CHECK_THAT(only_problem(replace(kValidSpec, "  loss: binary_crossentropy\n", "")),
               Contains("train.loss: missing required key"));
    const auto list = problems("name: x\n");
    CHECK(list.size() == 3);  // data, model, train
    CHECK_THAT(
        only_problem("data: {path: a, target: y}\nmodel: {layers: []}\ntrain: {loss: mse}\n"),
        Contains("model.layers: expected a non-empty list of layers"));
}

TEST_CASE("YAML syntax errors carry line and column", "[config]") {
    const auto list = problems(replace(kValidSpec, "epochs: 3", "epochs: [3"));
    REQUIRE(list.size() == 1);
    CHECK_THAT(list[0], Contains("spec.yaml:"));
    CHECK_THAT(list[0], Contains("YAML syntax error"));
    CHECK_THAT(problems("- just\n- a list\n")[0], Contains("the spec must be a mapping"));
}

TEST_CASE("features and drop exclude each other and the target", "[config]") {
    CHECK_THAT(only_problem(replace(kValidSpec, "  target: y\n",
                                    "  target: y\n  features: [a]\n  drop: [b]\n")),
               Contains("set either 'features' or 'drop', not both"));
    CHECK_THAT(only_problem(replace(kValidSpec, "  target: y\n", "  target: y\n  drop: [y]\n")),
               Contains("must not also be listed"));
}

TEST_CASE("paths resolve against the spec's directory", "[config]") {
    const ExperimentSpec spec =
        load(replace(kValidSpec, "path: data.csv", "path: ../d/x.csv") + "output: {dir: out}\n");
    CHECK(spec.data.path == "/d/x.csv");
    CHECK(spec.output.dir == "/base/out");
    const ExperimentSpec absolute = load(replace(kValidSpec, "path: data.csv", "path: /abs.csv"));
    CHECK(absolute.data.path == "/abs.csv");
}

TEST_CASE("load_spec reports unreadable files as usage errors", "[config]") {
    dlctl::test::TempDir dir;
    CHECK_THROWS_MATCHES(
        dlctl::load_spec(dir.path() / "missing.yaml"), dlctl::UsageError,
        Catch::Matchers::Message("cannot open spec '" + (dir.path() / "missing.yaml").string() +
                                 "': No such file or directory"));
    CHECK_THROWS_AS(dlctl::load_spec(dir.path()), dlctl::UsageError);
    const auto file = dir.write("s.yaml", kValidSpec);
    const ExperimentSpec spec = dlctl::load_spec(file);
    CHECK(spec.data.path == (dir.path() / "data.csv").string());
}

TEST_CASE("more out-of-range values, each located", "[config]") {
    CHECK_THAT(only_problem(replace(kValidSpec, "rate: 0.5", "rate: -0.1")),
               Contains("spec.yaml:10:29: model.layers.1.rate: must be in [0, 1), got -0.1"));
    CHECK_THAT(only_problem(replace(kValidSpec, "lr: 0.1", "lr: .nan")),
               Contains("spec.yaml:16:30: train.optimizer.lr: must be a positive number"));
    CHECK_THAT(only_problem(replace(kValidSpec, "lr: 0.1", "lr: .inf")),
               Contains("train.optimizer.lr: must be a positive number, got inf"));
    CHECK_THAT(only_problem(replace(kValidSpec, "units: 8", "units: 0")),
               Contains("spec.yaml:9:28: model.layers.0.units"));
}

TEST_CASE("integers are always decimal", "[config]") {
    CHECK(load(replace(kValidSpec, "units: 8", "units: 010")).model.layers[0].units == 10);
    CHECK(load(replace(kValidSpec, "units: 8", "units: +8")).model.layers[0].units == 8);
    CHECK_THAT(only_problem(replace(kValidSpec, "units: 8", "units: 0x10")),
               Contains("expected an integer, got '0x10'"));
    CHECK_THAT(only_problem(replace(kValidSpec, "units: 8", "units: 99999999999")),
               Contains("expected an integer, got '99999999999'"));
}

TEST_CASE("one mistake gives one problem", "[config]") {
    CHECK_THAT(only_problem(replace(kValidSpec, "path: data.csv", "path: [a]")),
               Contains("data.path: expected a string, got a list"));
    CHECK_THAT(only_problem(replace(kValidSpec, "units: 1, activation: sigmoid",
                                    "units: 0, activation: sigmoid")),
               Contains("model.layers.2.units: must be a positive integer"));
    CHECK_THAT(only_problem(replace(kValidSpec, "{type: dropout, rate: 0.5}", "{type: [x]}")),
               Contains("model.layers.1.type: expected a string"));
}

TEST_CASE("a missing section is located at the top of the file", "[config]") {
    const auto list = problems(
        "name: x\ndata: {path: a, target: y}\nmodel: {layers: [{type: dense, "
        "units: 1}]}\n");
    REQUIRE(list.size() == 1);
    CHECK_THAT(list[0], Contains("spec.yaml:1:1: train: missing required section 'train'"));
}

TEST_CASE("engine settings: optimizers, schedules, clipping, early stopping", "[config]") {
    const std::string adam = replace(kValidSpec, "optimizer: {type: sgd, lr: 0.1}",
                                     "optimizer: {type: adamw, betas: [0.8, 0.99]}");
    const ExperimentSpec spec = load(adam +
                                     "  schedule: {type: one_cycle}\n"
                                     "  gradient_clip: {norm: 1}\n"
                                     "  early_stopping: {monitor: val_accuracy}\n");
    CHECK(spec.train.optimizer.lr == 0.001);           // PyTorch's default for AdamW
    CHECK(spec.train.optimizer.weight_decay == 0.01);  // AdamW's default decay
    CHECK(spec.train.optimizer.beta1 == 0.8);
    CHECK(spec.train.schedule.max_lr == 0.0);  // 0: one_cycle peaks at the optimizer's lr
    CHECK(spec.train.clip_norm == 1.0);
    CHECK(spec.train.early_stopping.enabled);
    CHECK(spec.train.early_stopping.mode == "auto");  // resolved from the monitor when used
    CHECK(dlctl::to_yaml(load(dlctl::to_yaml(spec))) == dlctl::to_yaml(spec));

    const ExperimentSpec rms = load(replace(kValidSpec, "type: sgd, lr: 0.1", "type: rmsprop"));
    CHECK(rms.train.optimizer.lr == 0.01);
    const ExperimentSpec ada = load(replace(kValidSpec, "type: sgd, lr: 0.1", "type: adagrad"));
    CHECK(ada.train.optimizer.eps == 1e-10);
}

TEST_CASE("engine settings are validated with their location", "[config]") {
    CHECK_THAT(only_problem(replace(kValidSpec, "type: sgd, lr: 0.1", "type: adam, momentum: 0.9")),
               Contains("train.optimizer.momentum: unknown key 'momentum'"));
    CHECK_THAT(only_problem(replace(kValidSpec, "type: sgd, lr: 0.1", "type: adam, betas: [0.9]")),
               Contains("train.optimizer.betas: expected a list of two numbers"));
    CHECK_THAT(only_problem(replace(kValidSpec, "type: sgd, lr: 0.1", "type: sgd, nesterov: true")),
               Contains("nesterov needs momentum > 0"));
    CHECK_THAT(only_problem(kValidSpec + "  schedule: {type: step, t_max: 3}\n"),
               Contains("train.schedule.t_max: unknown key 't_max'"));
    CHECK_THAT(only_problem(kValidSpec + "  early_stopping: {monitor: val_f1}\n"),
               Contains("spec.yaml:17:29: train.early_stopping.monitor: 'val_f1' is not logged; "
                        "logged: 'loss', 'val_loss', 'accuracy', 'val_accuracy'"));
    CHECK_THAT(only_problem(kValidSpec + "  early_stopping: {monitor: val_acuracy}\n"),
               Contains("(did you mean 'val_accuracy'?)"));
    CHECK_THAT(only_problem(kValidSpec + "  gradient_clip: {norm: -1}\n"),
               Contains("train.gradient_clip.norm: must be a number >= 0 (0: off), got -1"));
    CHECK_THAT(only_problem(kValidSpec + "  label_smoothing: 1.5\n"),
               Contains("train.label_smoothing: must be in [0, 1), got 1.5"));
    CHECK_THAT(only_problem(kValidSpec + "  class_weight: heavy\n"),
               Contains("expected 'none', 'balanced' or a mapping of label to weight"));
    CHECK_THAT(only_problem(replace(kValidSpec, "units: 8, activation: relu",
                                    "units: 8, activation: relu, alpha: 0.2")),
               Contains("alpha applies only to leaky_relu and elu, not 'relu'"));
    CHECK_THAT(
        only_problem(replace(replace(kValidSpec, "loss: binary_crossentropy", "loss: mse"),
                             "  batch_size: 4\n", "  batch_size: 4\n  label_smoothing: 0.1\n")),
        Contains("label smoothing applies to the cross-entropy losses only"));
    const std::string no_validation = replace(kValidSpec, "validation: 0.1", "validation: 0");
    CHECK_THAT(only_problem(no_validation + "  early_stopping: {monitor: val_loss}\n"),
               Contains("'val_loss' needs a validation split"));
}

TEST_CASE("layer types and their settings resolve fully", "[config]") {
    const std::string layers = R"(name: unit
data: {path: d.csv, target: y}
model:
  init: lecun_normal
  layers:
    - {type: dense, units: 8, activation: leaky_relu}
    - {type: batch_norm, momentum: 0.2}
    - {type: activation, activation: elu, alpha: 0.5}
    - {type: layer_norm}
    - {type: dense, units: 3}
    - {type: activation, activation: softmax}
train: {loss: categorical_crossentropy, class_weight: {0: 1, 2: 3.5}}
)";
    const ExperimentSpec spec = load(layers);
    CHECK(spec.model.layers[0].alpha == 0.01);
    CHECK(spec.model.layers[0].init == "lecun_normal");  // model.init applies to every dense
    CHECK(spec.model.layers[0].l1 == -1.0);  // follows train.regularization, also when overridden
    CHECK_THAT(dlctl::to_yaml(spec), !Contains("l1:  0") && Contains("regularization: {l1: 0"));
    CHECK(spec.model.layers[1].momentum == 0.2);
    CHECK(spec.model.layers[2].alpha == 0.5);
    CHECK(spec.model.layers[3].eps == 1e-5);
    CHECK(spec.train.class_weight == "custom");
    CHECK(spec.train.class_weights.size() == 2);
    CHECK(dlctl::to_yaml(load(dlctl::to_yaml(spec))) == dlctl::to_yaml(spec));
}

TEST_CASE("training problems are reported alongside layer problems", "[config]") {
    const auto list = problems(replace(kValidSpec, "type: dropout", "type: dropuot") +
                               "  metrics: [accuracy, rmse]\n");
    REQUIRE(list.size() == 2);
    CHECK_THAT(list[0], Contains("model.layers.1.type"));
    CHECK_THAT(list[1], Contains("train.metrics.1"));
}

TEST_CASE("stratify: auto, true or false, and only where it makes sense", "[config]") {
    CHECK(load(kValidSpec).data.split.stratify == "auto");
    CHECK(load(kValidSpec, {"data.split.stratify=yes"}).data.split.stratify == "true");
    CHECK_THAT(only_problem(kValidSpec, {"data.split.stratify=maybe"}),
               Contains("expected true, false or auto, got 'maybe'"));
    CHECK_THAT(only_problem(kValidSpec, {"data.split.stratify=true", "data.split.shuffle=false"}),
               Contains("contradicts shuffle: false"));
    const std::string regression =
        replace(replace(kValidSpec, "loss: binary_crossentropy", "loss: mse"),
                "activation: sigmoid", "activation: linear");
    CHECK_THAT(only_problem(regression, {"data.split.stratify=true"}),
               Contains("stratified splits need a classification loss"));
}

TEST_CASE("target normalisation is for regression", "[config]") {
    CHECK_THAT(only_problem(kValidSpec, {"data.target_normalize=standard"}),
               Contains("target normalisation applies to regression losses only"));
    CHECK_THAT(only_problem(kValidSpec, {"data.target_normalize=minmax"}),
               Contains("must be standard or none, got 'minmax'"));
}

TEST_CASE("a split file replaces its fraction", "[config]") {
    const std::string implicit_test =
        replace(kValidSpec, "split: {test: 0.2, validation: 0.1}", "split: {validation: 0.1}");
    const ExperimentSpec spec = load(implicit_test, {"data.test_file=t.csv"});
    CHECK(spec.data.test_file == "/base/t.csv");
    CHECK(spec.data.split.test == 0.0);
    CHECK(spec.data.split.validation == 0.1);
    CHECK_THAT(only_problem(kValidSpec, {"data.test_file=t.csv"}),
               Contains("set either data.test_file or data.split.test (to 0), not both"));
    CHECK_THAT(
        only_problem(kValidSpec, {"data.validation_file=v.csv", "data.split.validation=0.2"}),
        Contains("set either data.validation_file or data.split.validation (to 0)"));
}

TEST_CASE("data.task sets the default loss and must fit the loss and output", "[config]") {
    const std::string with_task =
        replace(replace(kValidSpec, "  target: y\n", "  target: y\n  task: binary\n"),
                "  loss: binary_crossentropy\n", "");
    CHECK(load(with_task).train.loss == "binary_crossentropy");
    CHECK(load(kValidSpec).data.task == "binary");  // auto resolves to what the loss does
    CHECK_THAT(
        only_problem(replace(kValidSpec, "  target: y\n", "  target: y\n  task: regression\n")),
        Contains("data.task: task 'regression' does not fit loss 'binary_crossentropy' (a "
                 "binary loss) with an output of units: 1, activation: sigmoid"));
    CHECK_THAT(only_problem(replace(kValidSpec, "  loss: binary_crossentropy\n", "")),
               Contains("train.loss: missing required key"));
}

TEST_CASE("the data and output settings of real-world files are checked", "[config]") {
    auto with_data = [](const std::string& line) {
        return replace(kValidSpec, "  target: y\n", "  target: y\n  " + line + "\n");
    };
    CHECK_THAT(only_problem(with_data("max_categories: -1")),
               Contains("data.max_categories: must be an integer >= 0 (0: no cap), got -1"));
    CHECK_THAT(only_problem(with_data("unseen_categories: skip")),
               Contains("data.unseen_categories: must be ignore or error, got skip"));
    CHECK_THAT(only_problem(with_data("rank_reads: shard")),
               Contains("data.rank_reads: must be part or whole, got shard"));
    CHECK_THAT(only_problem(with_data("task: ranking")),
               Contains("data.task: must be auto, binary, multiclass or regression, got ranking"));
    CHECK_THAT(only_problem(with_data("normalize_columns: {a: zscore}")),
               Contains("data.normalize_columns.a: unknown normalization 'zscore'"));
    CHECK_THAT(only_problem(with_data("missing: {categorical: median}")),
               Contains("data.missing.categorical: must be mode, constant, missing_category, "
                        "drop_row or error, got median"));
    CHECK_THAT(only_problem(kValidSpec + "output: {checkpoint_every: -2}\n"),
               Contains("output.checkpoint_every: must be an integer >= 0 (0: no checkpoints), "
                        "got -2"));
    CHECK_THAT(only_problem(kValidSpec + "output: {keep_checkpoints: -1}\n"),
               Contains("output.keep_checkpoints: must be an integer >= 0, got -1"));
}

TEST_CASE("output.tensorboard is on by default, round-trips and does not block a resume",
          "[config]") {
    const ExperimentSpec spec = load(kValidSpec);
    CHECK(spec.output.tensorboard);
    CHECK_THAT(dlctl::to_yaml(spec), Contains("tensorboard: true"));
    const ExperimentSpec off = load(kValidSpec + "output: {tensorboard: false}\n");
    CHECK_FALSE(off.output.tensorboard);
    const std::string yaml = dlctl::to_yaml(off);
    CHECK_THAT(yaml, Contains("tensorboard: false"));
    CHECK_FALSE(load(yaml).output.tensorboard);
    CHECK_FALSE(load(kValidSpec, {"output.tensorboard=false"}).output.tensorboard);
    CHECK(dlctl::resume_differences(spec, off).empty());
    CHECK_THAT(only_problem(kValidSpec + "output: {tensorboard: sometimes}\n"),
               Contains("output.tensorboard: expected true or false, got 'sometimes'"));
    CHECK_THAT(only_problem(kValidSpec + "output: {tensorbord: false}\n"),
               Contains("did you mean 'tensorboard'?"));
}

TEST_CASE("a key given twice is a problem naming both lines", "[config]") {
    const std::string twice = std::string(kValidSpec) + "name: second\n";
    CHECK_THAT(only_problem(twice),
               Catch::Matchers::Contains("duplicate key 'name' (first at line"));
    CHECK_THAT(only_problem(twice), Catch::Matchers::StartsWith("spec.yaml:"));
    const std::string nested =
        replace(kValidSpec, "seed: 7", "seed: 7\nmodel: {layers: [{type: dense, units: 1}]}");
    CHECK_THAT(only_problem(nested), Catch::Matchers::Contains("duplicate key 'model'"));
}

TEST_CASE("an ensemble's layers resolve their sharing, and misplaced settings are located",
          "[config][ensemble]") {
    const std::string tabm = R"(name: unit
data: {path: d.csv, target: y}
model:
  layers:
    - {type: ensemble, members: 8}
    - {type: dense, units: 16, activation: relu}
    - {type: dense, units: 16, activation: relu, ensemble: shared}
    - {type: dense, units: 3, activation: softmax}
train: {loss: categorical_crossentropy}
)";
    const ExperimentSpec spec = load(tabm);
    CHECK(spec.model.layers[0].members == 8);
    CHECK_FALSE(spec.model.layers[0].scale);
    CHECK(spec.model.layers[1].ensemble == "batch");
    CHECK(spec.model.layers[2].ensemble == "shared");
    CHECK(spec.model.layers[3].ensemble == "independent");
    CHECK(dlctl::to_yaml(load(dlctl::to_yaml(spec))) == dlctl::to_yaml(spec));
    CHECK(load(kValidSpec).model.layers[0].ensemble.empty());

    CHECK_THAT(only_problem(replace(tabm, "members: 8", "members: 0")),
               Contains("model.layers.0.members") && Contains("in [1, 1024]"));
    CHECK_THAT(only_problem(replace(tabm, "members: 8", "members: 1025")),
               Contains("in [1, 1024]"));
    CHECK_THAT(only_problem(replace(tabm, "members: 8}", "members: 8, scales: true}")),
               Contains("model.layers.0.scales") && Contains("did you mean 'scale'"));
    CHECK_THAT(only_problem(R"(name: unit
data: {path: d.csv, target: y}
model:
  layers:
    - {type: dense, units: 3, activation: softmax}
    - {type: ensemble, members: 8}
train: {loss: categorical_crossentropy}
)"),
               Contains("model.layers.1") && Contains("needs a dense layer after it"));
    CHECK_THAT(only_problem(replace(tabm, "{type: dense, units: 3, activation: softmax}",
                                    "{type: dense, units: 3, activation: softmax, ensemble: "
                                    "batch}\n    - {type: dropout, rate: 0.1}")),
               Contains("model.layers.3.activation") && Contains("would mix its members"));
    CHECK_THAT(only_problem(replace(
                   replace(replace(tabm, "members: 8", "members: 1024"),
                           "units: 16, activation: relu}", "units: 2048, activation: relu}"),
                   "categorical_crossentropy}", "categorical_crossentropy, batch_size: 4096}")),
               Contains("model.layers.0.members") && Contains("below 2^32"));
    CHECK_THAT(only_problem(replace(tabm, "ensemble: shared", "ensemble: shraed")),
               Contains("model.layers.2.ensemble") && Contains("did you mean 'shared'"));
    const auto outside = problems(replace(tabm, "- {type: ensemble, members: 8}",
                                          "- {type: dense, units: 4, ensemble: batch}"));
    REQUIRE(outside.size() == 2);  // layers 0 and 2 set a sharing without an ensemble
    CHECK_THAT(outside[0], Contains("model.layers.0.ensemble") &&
                               Contains("only to dense layers after a {type: ensemble} layer"));
    CHECK_THAT(outside[1], Contains("model.layers.2.ensemble"));
    CHECK_THAT(only_problem(replace(tabm, "units: 16, activation: relu}",
                                    "units: 16, activation: softmax}")),
               Contains("model.layers.1.activation") && Contains("would mix its members"));
    CHECK_THAT(only_problem(replace(tabm, "{type: dense, units: 16, activation: relu, ensemble",
                                    "{type: ensemble}\n    - {type: dense, units: 16, "
                                    "activation: relu, ensemble")),
               Contains("model.layers.2") && Contains("at most one ensemble layer"));
}

TEST_CASE("piecewise_linear takes a bin count in [2, 1000]", "[config]") {
    const std::string ple = replace(kValidSpec, "  path: data.csv",
                                    "  path: data.csv\n  normalize: piecewise_linear\n  bins: 8");
    CHECK(load(ple).data.bins == 8);
    CHECK(load(kValidSpec).data.bins == 16);
    CHECK_THAT(only_problem(replace(ple, "bins: 8", "bins: 1")),
               Contains("data.bins") && Contains("[2, 1000]"));
}

TEST_CASE("RealMLP's settings resolve, round-trip, and are located when wrong", "[config]") {
    const std::string real = R"(name: unit
data: {path: d.csv, target: y}
model:
  parametrization: ntk
  layers:
    - {type: scale, lr_scale: 6}
    - {type: dense, units: 16, bias_lr_scale: 0.1}
    - {type: activation, activation: mish, parametric: true, lr_scale: 0.1}
    - {type: dense, units: 1, activation: sigmoid}
train:
  loss: binary_crossentropy
  optimizer: {type: adamw, bias_decay: false}
  schedule: {type: coslog, cycles: 3}
  dropout_schedule: flat_cos
  weight_decay_schedule: flat_cos
)";
    const ExperimentSpec spec = load(real);
    CHECK(spec.model.parametrization == "ntk");
    CHECK(spec.model.layers[0].lr_scale == 6.0);
    CHECK(spec.model.layers[1].bias_lr_scale == 0.1);
    CHECK(spec.model.layers[2].parametric);
    CHECK_FALSE(spec.train.optimizer.bias_decay);
    CHECK(spec.train.schedule.cycles == 3);
    CHECK(spec.train.dropout_schedule == "flat_cos");
    CHECK(spec.train.weight_decay_schedule == "flat_cos");
    CHECK(dlctl::to_yaml(load(dlctl::to_yaml(spec))) == dlctl::to_yaml(spec));
    CHECK(load(kValidSpec).model.parametrization == "standard");

    CHECK_THAT(only_problem(replace(real, "parametrization: ntk", "parametrization: mup")),
               Contains("model.parametrization") && Contains("'standard'"));
    CHECK_THAT(only_problem(replace(real, "lr_scale: 6", "lr_scale: -1")),
               Contains("model.layers.0.lr_scale") && Contains(">= 0"));
    CHECK_THAT(only_problem(replace(real, "activation: mish, parametric: true",
                                    "activation: softmax, parametric: true")),
               Contains("model.layers.2.parametric") && Contains("softmax"));
    CHECK_THAT(only_problem(replace(real, "parametric: true, lr_scale: 0.1", "lr_scale: 0.1")),
               Contains("model.layers.2.lr_scale") && Contains("only to a parametric"));
    CHECK_THAT(only_problem(replace(real, "cycles: 3", "cycles: 0")),
               Contains("train.schedule.cycles") && Contains("[1, 16]"));
    CHECK_THAT(only_problem(replace(real, "dropout_schedule: flat_cos", "dropout_schedule: cos")),
               Contains("train.dropout_schedule"));
    CHECK_THAT(only_problem(replace(real, "{type: scale, lr_scale: 6}", "{type: scale, units: 6}")),
               Contains("model.layers.0.units"));
    CHECK_THAT(only_problem(replace(real, "    - {type: dense, units: 1, activation: sigmoid}\n",
                                    "    - {type: dense, units: 1}\n    - {type: activation, "
                                    "activation: sigmoid, parametric: true}\n")),
               Contains("model.layers.4.parametric") && Contains("output activation"));
}

TEST_CASE("train.cv resolves, round-trips, lets val_ monitors run, and is located when wrong",
          "[config][cv]") {
    const std::string monitored = "train.early_stopping={monitor: val_loss, patience: 3}";
    const ExperimentSpec spec =
        load(kValidSpec, {"train.cv.folds=5", "data.split.validation=0", monitored});
    CHECK(spec.train.cv.folds == 5);
    CHECK(spec.train.cv.fold == 0);
    const std::string yaml = dlctl::to_yaml(spec);
    CHECK_THAT(yaml, Contains("cv: {folds: 5, fold: 0}"));
    CHECK(dlctl::to_yaml(load(yaml)) == yaml);
    CHECK(load(kValidSpec, {"train.cv={folds: 3, fold: 2}"}).train.cv.fold == 2);

    CHECK_THAT(only_problem(kValidSpec, {"data.split.validation=0", monitored}),
               Contains("train.cv.folds"));  // named as a way to get validation rows
    CHECK_THAT(only_problem(kValidSpec, {"train.cv.folds=1"}),
               Contains("train.cv.folds") && Contains(">= 2"));
    CHECK_THAT(only_problem(kValidSpec, {"train.cv={folds: 3, fold: 4}"}),
               Contains("train.cv.fold") && Contains("1..3"));
    CHECK_THAT(only_problem(kValidSpec, {"train.cv.fold=1"}),
               Contains("train.cv.fold") && Contains("needs train.cv.folds"));
    CHECK_THAT(only_problem(kValidSpec, {"train.cv.k=3"}), Contains("train.cv.k"));
    CHECK_THAT(only_problem(kValidSpec, {"train.cv.folds=3", "output.checkpoint_every=0"}),
               Contains("train.cv.folds") && Contains("output.checkpoint_every"));
    CHECK_THAT(only_problem(kValidSpec, {"train.cv.folds=3", "data.validation_file=v.csv",
                                         "data.split.validation=0"}),
               Contains("train.cv.folds") && Contains("data.validation_file"));
}

TEST_CASE("a periodic_embedding layer resolves its defaults, comes first, and is checked",
          "[config]") {
    const std::string plr = replace(kValidSpec, "    - {type: dense, units: 8, activation: relu}\n",
                                    "    - {type: periodic_embedding}\n"
                                    "    - {type: dense, units: 8, activation: relu}\n");
    const ExperimentSpec spec = load(plr);
    const auto& layer = spec.model.layers[0];
    CHECK(layer.type == "periodic_embedding");
    CHECK(layer.units == 24);
    CHECK(layer.frequencies == 48);
    CHECK(layer.sigma == 0.01);
    const std::string yaml = dlctl::to_yaml(spec);
    CHECK_THAT(yaml,
               Contains("{type: periodic_embedding, units: 24, frequencies: 48, sigma: 0.01}"));
    CHECK(dlctl::to_yaml(load(yaml)) == yaml);

    CHECK_THAT(only_problem(replace(plr, "{type: periodic_embedding}",
                                    "{type: periodic_embedding, frequencies: 0}")),
               Contains("model.layers.0.frequencies") && Contains("[1, 1024]"));
    CHECK_THAT(only_problem(replace(plr, "{type: periodic_embedding}",
                                    "{type: periodic_embedding, sigma: -1}")),
               Contains("model.layers.0.sigma"));
    CHECK_THAT(only_problem(replace(plr, "{type: periodic_embedding}",
                                    "{type: periodic_embedding, rate: 0.1}")),
               Contains("model.layers.0.rate"));
    const std::string second =
        replace(kValidSpec, "    - {type: dropout, rate: 0.5}\n",
                "    - {type: dropout, rate: 0.5}\n    - {type: periodic_embedding}\n");
    CHECK_THAT(only_problem(second),
               Contains("model.layers.2.type") && Contains("must come before every other layer"));
}

TEST_CASE("a bin_embedding layer resolves its defaults and refuses other activations", "[config]") {
    const std::string bins =
        replace(kValidSpec, "    - {type: dense, units: 8, activation: relu}\n",
                "    - {type: bin_embedding}\n"
                "    - {type: dense, units: 8, activation: relu}\n");
    const ExperimentSpec spec = load(bins);
    CHECK(spec.model.layers[0].units == 16);
    CHECK(spec.model.layers[0].activation == "relu");
    CHECK_THAT(dlctl::to_yaml(spec),
               Contains("{type: bin_embedding, units: 16, activation: relu}"));
    CHECK_THAT(only_problem(replace(bins, "{type: bin_embedding}",
                                    "{type: bin_embedding, activation: tanh}")),
               Contains("model.layers.0.activation") && Contains("relu or linear"));
    CHECK_THAT(
        only_problem(replace(bins, "{type: bin_embedding}", "{type: bin_embedding, units: 0}")),
        Contains("model.layers.0.units"));
}

TEST_CASE("data.embed_categories needs a first category_embedding layer", "[config]") {
    const std::string embedded =
        replace(kValidSpec, "    - {type: dense, units: 8, activation: relu}\n",
                "    - {type: category_embedding}\n"
                "    - {type: periodic_embedding, units: 4}\n"
                "    - {type: dense, units: 8, activation: relu}\n");
    const ExperimentSpec spec = load(embedded, {"data.embed_categories=20"});
    CHECK(spec.data.embed_categories == 20);
    CHECK(spec.model.layers[0].units == 8);
    const std::string yaml = dlctl::to_yaml(spec);
    CHECK_THAT(
        yaml, Contains("embed_categories: 20") && Contains("{type: category_embedding, units: 8}"));
    CHECK(dlctl::to_yaml(load(yaml)) == yaml);
    CHECK(load(embedded).data.embed_categories == 0);  // a layer without index inputs passes on

    CHECK_THAT(only_problem(kValidSpec, {"data.embed_categories=20"}),
               Contains("data.embed_categories") && Contains("category_embedding"));
    CHECK_THAT(only_problem(embedded, {"data.embed_categories=-1"}),
               Contains("data.embed_categories") && Contains(">= 0"));
    const std::string late = replace(kValidSpec, "    - {type: dropout, rate: 0.5}\n",
                                     "    - {type: dropout, rate: 0.5}\n"
                                     "    - {type: category_embedding}\n");
    CHECK_THAT(only_problem(late),
               Contains("model.layers.2.type") && Contains("must come before every other layer"));
}
