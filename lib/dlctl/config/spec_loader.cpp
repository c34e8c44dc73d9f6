#include "dlctl/config/spec_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "dlctl/config/overrides.h"
#include "dlctl/config/spec_reader.h"
#include "dlctl/core/error.h"
#include "dlctl/core/whole_file.h"

namespace dlctl {

namespace {

namespace fs = std::filesystem;
using namespace spec_detail;

constexpr std::uint64_t kMaxSpecBytes = 4000000;  // a spec is a few kB; YAML costs ~40x in memory

/// The model's output: width and activation (of the last dense or activation layer).
struct OutputLayer {
    int units = 0;
    std::string activation;
};

OutputLayer output_layer(const ModelSpec& model) {
    OutputLayer out;
    for (const LayerSpec& layer : model.layers) {
        if (layer.type == "dense") out = {layer.units, layer.activation};
        if (layer.type == "activation") out.activation = layer.activation;
    }
    return out;
}

/// Dropout draws of a step count the elements of a layer's output below 2^32 (ForwardContext::
/// random_counter): batch × ensemble members × the widest layer must stay below that.
void check_draw_counters(SpecReader& r, const YAML::Node& root, const ExperimentSpec& spec) {
    std::uint64_t members = 1, widest = 0;
    std::size_t ensemble = spec.model.layers.size();
    for (std::size_t i = 0; i < spec.model.layers.size(); ++i) {
        const LayerSpec& layer = spec.model.layers[i];
        if (layer.type == "ensemble") {
            members = static_cast<std::uint64_t>(layer.members);
            ensemble = i;
        }
        widest = std::max<std::uint64_t>(widest, static_cast<std::uint64_t>(layer.units));
    }
    const auto batch = static_cast<std::uint64_t>(std::max(spec.train.batch_size, 1));
    if (ensemble == spec.model.layers.size() || batch * members * widest < (1ull << 32)) return;
    r.problem(fmt::format("model.layers.{}.members", ensemble), root["model"]["layers"][ensemble],
              fmt::format("train.batch_size ({}) × members ({}) × the widest layer ({}) must stay "
                          "below 2^32 (a step's dropout draws); use fewer members or a smaller "
                          "batch",
                          batch, members, widest));
}

/// Checks that a metric to monitor will be logged.
void check_monitor(SpecReader& r,
                   const YAML::Node& node,
                   const std::string& path,
                   const std::string& monitor,
                   const ExperimentSpec& spec) {
    const bool validation = monitor.starts_with("val_");
    const std::string base = validation ? monitor.substr(4) : monitor;
    const auto& metrics = spec.train.metrics;
    if (base != "loss" && std::find(metrics.begin(), metrics.end(), base) == metrics.end()) {
        std::vector<std::string> logged = {"loss", "val_loss"};
        for (const auto& m : metrics) {
            logged.push_back(m);
            logged.push_back("val_" + m);
        }
        r.problem(path, node,
                  fmt::format("'{}' is not logged{}; logged: {} (add metrics to train.metrics)",
                              monitor, did_you_mean(monitor, logged), quoted_list(logged)));
    } else if (validation && spec.data.split.validation == 0.0 &&
               spec.data.validation_file.empty() && spec.train.cv.folds == 0) {
        r.problem(path, node,
                  "'" + monitor +
                      "' needs a validation split (data.split.validation > 0, "
                      "data.validation_file or train.cv.folds)");
    }
}

/// Checks that the loss, the metrics and the monitors fit together.
void check_training(SpecReader& r, const YAML::Node& root, ExperimentSpec& spec);

/// data.embed_categories makes index inputs that only a first category_embedding layer reads
/// (such a layer without them passes every input on).
void check_category_embedding(SpecReader& r, const YAML::Node& root, const ExperimentSpec& spec) {
    const auto& layers = spec.model.layers;
    const bool layer = std::any_of(layers.begin(), layers.end(), [](const LayerSpec& l) {
        return l.type == "category_embedding";
    });
    if (spec.data.embed_categories > 0 && !layer) {
        r.problem("data.embed_categories", root["data"]["embed_categories"],
                  "embedded categorical columns need a {type: category_embedding} layer first "
                  "in model.layers (or set data.embed_categories to 0)");
    }
}

/// Checks that the loss, the output layer, the metrics and the monitors fit together; the output
/// layer only when the model itself had no problem (`model_ok`).
void check_consistency(SpecReader& r, const YAML::Node& root, ExperimentSpec& spec, bool model_ok) {
    const auto& layers = spec.model.layers;
    const std::string& loss = spec.train.loss;
    if (loss.empty()) return;
    check_training(r, root, spec);
    if (!model_ok || layers.empty()) return;
    const std::string last_path = "model.layers." + std::to_string(layers.size() - 1);
    const YAML::Node last_node = root["model"]["layers"][layers.size() - 1];
    const std::string& last_type = layers.back().type;
    if (last_type != "dense" && last_type != "activation") {
        r.problem(last_path, last_node,
                  "the last layer must be dense or activation (it produces the output)");
        return;
    }
    if (last_type == "activation" && layers.back().parametric) {
        r.problem(last_path + ".parametric", last_node["parametric"],
                  "the model's last activation is its output activation, which the loss fuses; "
                  "put a parametric activation before a dense output layer");
        return;
    }
    check_draw_counters(r, root, spec);
    check_category_embedding(r, root, spec);
    const OutputLayer out = output_layer(spec.model);
    if (out.units == 0) {
        r.problem("model.layers", root["model"]["layers"], "the model needs a dense layer");
        return;
    }
    const std::string task = loss == "binary_crossentropy"        ? "binary"
                             : loss == "categorical_crossentropy" ? "multiclass"
                                                                  : "regression";
    const std::string& given = spec.data.task;
    const bool known = given == "binary" || given == "multiclass" || given == "regression";
    if (known && given != task) {  // an unknown task was reported where it was read
        r.problem("data.task", root["data"]["task"],
                  fmt::format("task '{}' does not fit loss '{}' (a {} loss) with an output of "
                              "units: {}, activation: {}",
                              spec.data.task, loss, task, out.units, out.activation));
        return;
    }
    spec.data.task = task;  // the resolved spec says what the run does
    if (loss == "binary_crossentropy" && (out.units != 1 || out.activation != "sigmoid")) {
        r.problem(last_path, last_node,
                  fmt::format("loss 'binary_crossentropy' needs an output of units: 1 and "
                              "activation: sigmoid, got units: {}, activation: {}",
                              out.units, out.activation));
    } else if (loss == "categorical_crossentropy" &&
               (out.units < 2 || out.activation != "softmax")) {
        r.problem(last_path, last_node,
                  fmt::format("loss 'categorical_crossentropy' needs an output of units: <number "
                              "of classes> (at least 2) and activation: softmax, got units: {}, "
                              "activation: {}",
                              out.units, out.activation));
    } else if (!vocabulary::is_classification_loss(loss) &&
               (out.units != 1 || out.activation == "softmax")) {
        r.problem(last_path, last_node,
                  fmt::format("loss '{}' predicts one target column: the output needs units: 1 "
                              "and no softmax, got units: {}, activation: {}",
                              loss, out.units, out.activation));
    }
}

void check_training(SpecReader& r, const YAML::Node& root, ExperimentSpec& spec) {
    const std::string& loss = spec.train.loss;
    const YAML::Node train = root["train"];
    const SplitSpec& split = spec.data.split;
    const YAML::Node data = root["data"];
    if (!spec.data.validation_file.empty() && split.validation > 0.0) {
        r.problem("data.validation_file", data["validation_file"],
                  "set either data.validation_file or data.split.validation (to 0), not both");
    }
    if (spec.train.cv.folds > 0 && spec.output.checkpoint_every == 0) {
        r.problem("train.cv.folds", train["cv"]["folds"],
                  "cross-validation keeps each fold's best checkpoint for its ensemble; "
                  "output.checkpoint_every: 0 writes none (set it to 1 or more)");
    }
    if (spec.train.cv.folds > 0 && !spec.data.validation_file.empty()) {
        r.problem("train.cv.folds", train["cv"]["folds"],
                  "cross-validation validates each fold on rows of data.path; it cannot use "
                  "data.validation_file (remove one of them)");
    }
    if (!spec.data.test_file.empty() && split.test > 0.0) {
        r.problem("data.test_file", data["test_file"],
                  "set either data.test_file or data.split.test (to 0), not both");
    }
    if (spec.data.target_normalize == "standard" && vocabulary::is_classification_loss(loss)) {
        r.problem("data.target_normalize", root["data"]["target_normalize"],
                  "target normalisation applies to regression losses only");
    }
    if (split.stratify == "true") {
        const YAML::Node node = root["data"]["split"]["stratify"];
        if (!vocabulary::is_classification_loss(loss)) {
            r.problem("data.split.stratify", node, "stratified splits need a classification loss");
        } else if (!split.shuffle) {
            r.problem("data.split.stratify", node,
                      "stratified splits shuffle rows; it contradicts shuffle: false");
        }
    }
    if (!vocabulary::is_classification_loss(loss)) {
        if (spec.train.label_smoothing > 0.0) {
            r.problem("train.label_smoothing", train["label_smoothing"],
                      "label smoothing applies to the cross-entropy losses only");
        }
        if (spec.train.class_weight != "none") {
            r.problem("train.class_weight", train["class_weight"],
                      "class weights apply to classification losses only");
        }
    }
    const YAML::Node metrics_node = SpecReader::child(train, "metrics");
    const auto& choices = vocabulary::metrics_for_loss(loss);
    for (std::size_t i = 0; i < spec.train.metrics.size(); ++i) {
        const std::string& m = spec.train.metrics[i];
        const auto& s = choices.supported;
        if (std::find(s.begin(), s.end(), m) != s.end()) continue;
        const std::string path = "train.metrics." + std::to_string(i);
        const YAML::Node node = metrics_node.IsSequence() ? metrics_node[i] : train;
        r.problem(path, node,
                  fmt::format("metric '{}' is not available for loss '{}'{}; supported: {}", m,
                              loss, did_you_mean(m, s), quoted_list(s)));
    }
    if (spec.train.early_stopping.enabled) {
        const YAML::Node es = train["early_stopping"];
        check_monitor(r, SpecReader::child(es, "monitor").IsDefined() ? es["monitor"] : es,
                      "train.early_stopping.monitor", spec.train.early_stopping.monitor, spec);
    }
    if (spec.train.schedule.type == "reduce_on_plateau") {
        const YAML::Node sched = train["schedule"];
        check_monitor(r, SpecReader::child(sched, "monitor").IsDefined() ? sched["monitor"] : sched,
                      "train.schedule.monitor", spec.train.schedule.monitor, spec);
    }
}

/// Fills the defaults that depend on other settings, so the resolved spec says exactly what runs.
void resolve_defaults(ExperimentSpec& spec) {
    for (std::size_t i = 0; i < spec.model.layers.size(); ++i) {
        LayerSpec& layer = spec.model.layers[i];
        if (layer.type != "dense") continue;
        layer.ensemble = ensemble_mode(spec.model, i);
        if (layer.init.empty() || layer.init == "auto") {
            layer.init = spec.model.init != "auto"
                             ? spec.model.init
                             : vocabulary::default_initializer(layer.activation);
        }
        layer.init = vocabulary::canonical_initializer(layer.init);
    }
}

/// Whether `name` can be one directory's name under output.dir's parent, and nothing else.
bool is_directory_name(const std::string& name) {
    if (name.empty()) return true;  // the spec file's name is used
    if (name == "." || name == ".." || name.size() > 200) return false;
    return std::none_of(name.begin(), name.end(), [](char c) {
        return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
}

ExperimentSpec read_spec(const YAML::Node& root,
                         const std::string& source,
                         const fs::path& base_dir,
                         const std::map<std::string, std::string>& overridden,
                         std::vector<std::string> override_problems) {
    SpecReader r(source, overridden, std::move(override_problems));
    ExperimentSpec spec;
    if (!root.IsMap()) {
        r.problem(
            "(top level)", root,
            "the spec must be a mapping with sections name, seed, data, model, train, output");
        throw SpecError(r.problems());
    }
    r.check_keys(root, "", {"name", "seed", "data", "model", "train", "output"});
    r.read_checked(root, "name", "", spec.name, is_directory_name,
                   "one directory name (runs/<name>): no '/', '\\' or control characters, not "
                   "'.' or '..', at most 200 bytes");
    std::int64_t seed = static_cast<std::int64_t>(spec.seed);
    r.read(root, "seed", "", seed);
    if (seed < 0) r.problem("seed", root["seed"], "must be a non-negative integer");
    spec.seed = static_cast<std::uint64_t>(seed);

    read_data(r, root, spec.data);
    const std::size_t before_model = r.problems().size();
    read_model(r, root, spec.model);
    const bool model_ok = r.problems().size() == before_model;
    read_train(r, root, spec.data.task, spec.train);

    const YAML::Node output = root["output"];
    bool output_dir_given = false;
    if (output.IsDefined() && r.expect_map(output, "output")) {
        r.check_keys(output, "output",
                     {"dir", "checkpoint_every", "keep_checkpoints", "tensorboard"});
        r.read(output, "dir", "output", spec.output.dir);
        const auto non_negative = [](int v) { return v >= 0; };
        r.read_checked(output, "checkpoint_every", "output", spec.output.checkpoint_every,
                       non_negative, "an integer >= 0 (0: no checkpoints)");
        r.read_checked(output, "keep_checkpoints", "output", spec.output.keep_checkpoints,
                       non_negative, "an integer >= 0");
        r.read(output, "tensorboard", "output", spec.output.tensorboard);
        output_dir_given = output["dir"].IsDefined();
    }
    check_consistency(r, root, spec, model_ok);
    if (!r.problems().empty()) throw SpecError(r.problems());

    // Fill derived defaults so the resolved spec says exactly what runs.
    if (spec.name.empty()) spec.name = fs::path(source).stem().string();
    if (spec.name.empty()) spec.name = "experiment";
    resolve_defaults(spec);
    spec.data.path = resolve_path(spec.data.path, base_dir);
    spec.model.init_from = resolve_path(spec.model.init_from, base_dir);
    spec.data.validation_file = resolve_path(spec.data.validation_file, base_dir);
    spec.data.test_file = resolve_path(spec.data.test_file, base_dir);
    spec.data.cache_dir = resolve_path(spec.data.cache_dir, base_dir);
    // An explicit output.dir is relative to the spec, like every spec path; the default is
    // relative to the working directory, where users look for runs/.
    spec.output.dir = output_dir_given ? resolve_path(spec.output.dir, base_dir)
                                       : resolve_path("runs/" + spec.name, absolute_path("."));
    return spec;
}

/// "file:line:col: duplicate key" problems of every mapping under `node` (YAML lets the first
/// of two equal keys win silently; a strict spec may not). Aliased nodes are visited once.
void find_duplicate_keys(const YAML::Node& node,
                         const std::string& source,
                         std::set<std::pair<int, int>>& visited,
                         std::vector<std::string>& problems) {
    const YAML::Mark mark = node.Mark();
    if (!visited.insert({mark.line, mark.column}).second) return;
    if (node.IsSequence()) {
        for (const YAML::Node& item : node) find_duplicate_keys(item, source, visited, problems);
        return;
    }
    if (!node.IsMap()) return;
    std::map<std::string, YAML::Mark> seen;
    for (const auto& entry : node) {
        if (entry.first.IsScalar()) {
            const auto [first, inserted] = seen.emplace(entry.first.Scalar(), entry.first.Mark());
            if (!inserted) {
                problems.push_back(fmt::format(
                    "{}:{}:{}: duplicate key '{}' (first at line {}); a key may appear once",
                    source, entry.first.Mark().line + 1, entry.first.Mark().column + 1,
                    entry.first.Scalar(), first->second.line + 1));
            }
        }
        find_duplicate_keys(entry.second, source, visited, problems);
    }
}

}  // namespace

namespace {

/// A spec's YAML, with every duplicate key reported (SpecError).
YAML::Node parse_spec_yaml(std::string_view yaml, const std::string& source) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& e) {
        throw SpecError({fmt::format("{}:{}:{}: YAML syntax error: {}", source, e.mark.line + 1,
                                     e.mark.column + 1, e.msg)});
    }
    std::vector<std::string> problems;
    std::set<std::pair<int, int>> visited;
    find_duplicate_keys(root, source, visited, problems);
    if (!problems.empty()) throw SpecError(problems);
    return root;
}

/// `top` laid over `base`: keys of `top` win, and mappings in both are layered key by key (lists
/// and scalars replace). `top`'s nodes keep their marks, so messages name the user's lines.
YAML::Node layered(const YAML::Node& base, const YAML::Node& top) {
    if (!base.IsMap() || !top.IsMap()) return top.IsDefined() && !top.IsNull() ? top : base;
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& kv : base) {
        const YAML::Node above = SpecReader::child(top, kv.first.Scalar());
        out[kv.first] = above.IsDefined() ? layered(kv.second, above) : kv.second;
    }
    for (const auto& kv : top) {
        if (!SpecReader::child(base, kv.first.Scalar()).IsDefined()) out[kv.first] = kv.second;
    }
    return out;
}

/// Applies `sets` and `flags` whose key path passes `wanted` to `root`; returns the paths each
/// overrode (with its origin) and adds a problem for each that does not apply.
std::map<std::string, std::string> apply_overrides(YAML::Node& root,
                                                   const std::vector<std::string>& sets,
                                                   const std::vector<Override>& flags,
                                                   bool (*wanted)(const std::string& path),
                                                   std::vector<std::string>& problems) {
    std::map<std::string, std::string> overridden;
    auto apply = [&](const Override& o) {
        if (!wanted(o.path)) return;
        apply_override(root, o);
        overridden[o.path] = o.origin;
    };
    for (const auto& text : sets) {
        try {
            apply(parse_override(text));
        } catch (const UsageError& e) {
            problems.push_back(e.what());
        }
    }
    for (const auto& flag : flags) {
        try {
            apply(flag);
        } catch (const UsageError& e) {
            problems.push_back(e.what());
        }
    }
    return overridden;
}

bool any_path(const std::string&) { return true; }
bool data_path(const std::string& path) { return path.starts_with("data."); }

}  // namespace

ExperimentSpec load_spec_from_string(std::string_view yaml,
                                     std::string_view source_name,
                                     const fs::path& base_dir,
                                     const std::vector<std::string>& sets,
                                     const std::vector<Override>& flags,
                                     std::string_view defaults_yaml) {
    const std::string source(source_name);
    YAML::Node root = parse_spec_yaml(yaml, source);
    if (!defaults_yaml.empty()) root = layered(YAML::Load(std::string(defaults_yaml)), root);
    // Bad overrides are reported together with every other problem of the spec.
    std::vector<std::string> problems;
    const auto overridden = apply_overrides(root, sets, flags, any_path, problems);
    return read_spec(root, source, base_dir, overridden, std::move(problems));
}

DataSpec load_data_spec(std::string_view yaml,
                        std::string_view source_name,
                        const fs::path& base_dir,
                        const std::vector<std::string>& sets,
                        const std::vector<Override>& flags) {
    const std::string source(source_name);
    YAML::Node root = parse_spec_yaml(yaml, source);
    if (!root.IsMap()) root = YAML::Node(YAML::NodeType::Map);  // load_spec_from_string reports
    std::vector<std::string> problems;
    const auto overridden = apply_overrides(root, sets, flags, data_path, problems);
    SpecReader r(source, overridden, std::move(problems));
    DataSpec data;
    read_data(r, root, data);
    if (!r.problems().empty()) throw SpecError(r.problems());
    data.path = resolve_path(data.path, base_dir);
    data.validation_file = resolve_path(data.validation_file, base_dir);
    data.test_file = resolve_path(data.test_file, base_dir);
    data.cache_dir = resolve_path(data.cache_dir, base_dir);
    return data;
}

bool spec_has_model(std::string_view yaml) {
    try {
        const YAML::Node root = YAML::Load(std::string(yaml));
        return !root.IsMap() || SpecReader::child(root, "model").IsDefined();
    } catch (const YAML::Exception&) {
        return true;  // the full load reports the syntax error
    }
}

std::string read_spec_text(const fs::path& file) {
    return read_whole_file(
        file, {"spec", kMaxSpecBytes, true, ExitCode::kUsage,
               "pass the path of a YAML experiment spec, e.g. configs/breast_cancer.yaml"});
}

ExperimentSpec load_spec(const fs::path& file,
                         const std::vector<std::string>& sets,
                         const std::vector<Override>& flags) {
    return load_spec_from_string(read_spec_text(file), file.string(),
                                 absolute_path(file).parent_path(), sets, flags);
}

}  // namespace dlctl
