#include "dlctl/config/spec_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "dlctl/config/overrides.h"
#include "dlctl/config/vocabulary.h"
#include "dlctl/core/device.h"
#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"

namespace dlctl {

namespace {

namespace fs = std::filesystem;
using vocabulary::Choices;

/// Reads YAML nodes into the spec structs, collecting every problem with its location instead of
/// stopping at the first.
class SpecReader {
  public:
    SpecReader(std::string source,
               std::map<std::string, std::string> overridden,
               std::vector<std::string> problems)
        : source_(std::move(source)),
          overridden_(std::move(overridden)),
          problems_(std::move(problems)) {}

    const std::vector<std::string>& problems() const { return problems_; }

    void problem(const std::string& path, const YAML::Node& node, const std::string& message) {
        problems_.push_back(fmt::format("{}: {}: {}", where(path, node), path, message));
    }

    /// Reports keys of `map` that are not in `allowed`, with a did-you-mean suggestion.
    void check_keys(const YAML::Node& map,
                    const std::string& path,
                    const std::vector<std::string>& allowed) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            const std::string key = it->first.Scalar();
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
            problem(join(path, key), it->first,
                    "unknown key '" + key + "'" + did_you_mean(key, allowed) +
                        "; valid keys: " + quoted_list(allowed));
        }
    }

    /// True when `node` is a mapping; reports a problem (and returns false) otherwise.
    bool expect_map(const YAML::Node& node, const std::string& path) {
        if (node.IsMap()) return true;
        problem(path, node, "expected a mapping of keys to values, got " + describe(node));
        return false;
    }

    /// Reads `map[key]` into `out` when present; true when a value was read.
    template <typename T>
    bool read(const YAML::Node& map, const std::string& key, const std::string& path, T& out) {
        const YAML::Node node = map[key];
        if (!node.IsDefined()) return false;
        const std::string full = join(path, key);
        if (!node.IsScalar()) {
            problem(full, node, fmt::format("expected {}, got {}", type_name<T>(), describe(node)));
            return false;
        }
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            // Always decimal: yaml-cpp would read 010 as octal and 0x10 as hex.
            const std::string& text = node.Scalar();
            const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
            const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), out);
            if (ec == std::errc{} && end == text.data() + text.size() && !text.empty()) return true;
            problem(full, node, fmt::format("expected {}, got '{}'", type_name<T>(), text));
            return false;
        } else {
            try {
                out = node.as<T>();
                return true;
            } catch (const YAML::Exception&) {
                problem(full, node,
                        fmt::format("expected {}, got '{}'", type_name<T>(), node.Scalar()));
                return false;
            }
        }
    }

    void read_list(const YAML::Node& map,
                   const std::string& key,
                   const std::string& path,
                   std::vector<std::string>& out) {
        const YAML::Node node = map[key];
        if (!node.IsDefined() || node.IsNull()) return;
        const std::string full = join(path, key);
        if (!node.IsSequence()) {
            problem(full, node, "expected a list of strings, got " + describe(node));
            return;
        }
        out.clear();
        for (std::size_t i = 0; i < node.size(); ++i) {
            if (!node[i].IsScalar()) {
                problem(join(full, std::to_string(i)), node[i],
                        "expected a string, got " + describe(node[i]));
                continue;
            }
            out.push_back(node[i].Scalar());
        }
    }

    /// Checks `value` against a vocabulary, distinguishing typos from not-yet-built features.
    void check_choice(const std::string& value,
                      const Choices& choices,
                      const std::string& what,
                      const std::string& path,
                      const YAML::Node& node) {
        const auto& s = choices.supported;
        if (std::find(s.begin(), s.end(), value) != s.end()) return;
        const auto& p = choices.planned;
        if (std::find(p.begin(), p.end(), value) != p.end()) {
            problem(path, node,
                    fmt::format("{} '{}' is not yet supported; supported: {}", what, value,
                                quoted_list(s)));
            return;
        }
        problem(path, node,
                fmt::format("unknown {} '{}'{}; supported: {}", what, value, did_you_mean(value, s),
                            quoted_list(s)));
    }

    /// `node[key]` when `node` is a mapping, else an undefined node (yaml-cpp throws when a
    /// missing node is indexed).
    static YAML::Node child(const YAML::Node& node, const std::string& key) {
        return node.IsMap() ? node[key] : YAML::Node(YAML::NodeType::Undefined);
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

  private:
    std::string where(const std::string& path, const YAML::Node& node) const {
        // A value set on the command line is located by the override that set it: one that set
        // this key or a mapping above it, or one that created this key on its way deeper.
        for (std::string prefix = path;;) {
            if (auto it = overridden_.find(prefix); it != overridden_.end()) return it->second;
            const std::size_t dot = prefix.rfind('.');
            if (dot == std::string::npos) break;
            prefix.resize(dot);
        }
        const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
        if (!mark.is_null())
            return fmt::format("{}:{}:{}", source_, mark.line + 1, mark.column + 1);
        // A key without a place in the file was created by an override that set a key below it.
        for (const auto& [key, origin] : overridden_) {
            if (key.starts_with(path + ".")) return origin;
        }
        return source_;
    }

    static std::string describe(const YAML::Node& node) {
        switch (node.Type()) {
            case YAML::NodeType::Map:
                return "a mapping";
            case YAML::NodeType::Sequence:
                return "a list";
            case YAML::NodeType::Null:
                return "nothing (null)";
            case YAML::NodeType::Scalar:
                return "'" + node.Scalar() + "'";
            default:
                return "an undefined value";
        }
    }

    template <typename T>
    static const char* type_name() {
        if constexpr (std::is_same_v<T, bool>) return "true or false";
        if constexpr (std::is_integral_v<T>) return "an integer";
        if constexpr (std::is_floating_point_v<T>) return "a number";
        return "a string";
    }

    std::string source_;
    std::map<std::string, std::string> overridden_;
    std::vector<std::string> problems_;
};

fs::path absolute_path(const fs::path& path) {
    std::error_code ec;
    fs::path result = fs::absolute(path, ec);
    if (ec) throw UsageError("cannot resolve path '" + path.string() + "': " + ec.message());
    return result;
}

std::string resolve_path(const std::string& path, const fs::path& base_dir) {
    if (path.empty()) return path;
    fs::path p(path);
    if (p.is_relative()) p = base_dir / p;
    return absolute_path(p).lexically_normal().string();
}

void read_split(SpecReader& r, const YAML::Node& node, SplitSpec& split) {
    const std::string path = "data.split";
    if (!node.IsDefined() || !r.expect_map(node, path)) return;
    r.check_keys(node, path, {"test", "validation", "shuffle"});
    r.read(node, "shuffle", path, split.shuffle);
    bool fractions_valid = true;
    for (const char* key : {"test", "validation"}) {
        double& value = std::string_view(key) == "test" ? split.test : split.validation;
        if (r.read(node, key, path, value) && !(value >= 0.0 && value < 1.0)) {
            r.problem(path + "." + key, node[key],
                      fmt::format("must be a fraction in [0, 1), got {}", value));
            fractions_valid = false;
        }
    }
    if (fractions_valid && split.test + split.validation >= 1.0) {
        r.problem(path, node,
                  fmt::format("test + validation = {} leaves no training rows; it must be below 1",
                              split.test + split.validation));
    }
}

void read_data(SpecReader& r, const YAML::Node& root, DataSpec& data) {
    const YAML::Node node = root["data"];
    if (!node.IsDefined()) {
        r.problem("data", root, "missing required section 'data' (with at least path and target)");
        return;
    }
    if (!r.expect_map(node, "data")) return;
    r.check_keys(node, "data",
                 {"path", "target", "features", "drop", "delimiter", "normalize", "split"});
    r.read(node, "path", "data", data.path);
    r.read(node, "target", "data", data.target);
    r.read_list(node, "features", "data", data.features);
    r.read_list(node, "drop", "data", data.drop);
    r.read(node, "delimiter", "data", data.delimiter);
    r.read(node, "normalize", "data", data.normalize);
    if (!node["path"].IsDefined()) {
        r.problem("data.path", node, "missing required key (the CSV file)");
    }
    if (!node["target"].IsDefined()) {
        r.problem("data.target", node, "missing required key (the column to predict)");
    }
    if (!data.features.empty() && !data.drop.empty()) {
        r.problem("data", node, "set either 'features' or 'drop', not both");
    }
    auto in = [](const std::vector<std::string>& v, const std::string& x) {
        return std::find(v.begin(), v.end(), x) != v.end();
    };
    if (!data.target.empty() && (in(data.features, data.target) || in(data.drop, data.target))) {
        r.problem("data.target", node["target"],
                  "target '" + data.target + "' must not also be listed in features or drop");
    }
    if (node["delimiter"].IsDefined()) {
        r.check_choice(data.delimiter, vocabulary::delimiters(), "delimiter", "data.delimiter",
                       node["delimiter"]);
    }
    r.check_choice(data.normalize, vocabulary::normalizations(), "normalization", "data.normalize",
                   node["normalize"].IsDefined() ? node["normalize"] : node);
    read_split(r, node["split"], data.split);
}

void read_layer(SpecReader& r, const YAML::Node& node, const std::string& path, LayerSpec& layer) {
    if (!r.expect_map(node, path)) return;
    r.read(node, "type", path, layer.type);
    if (layer.type.empty()) {
        if (!node["type"].IsDefined()) {
            r.problem(path + ".type", node, "missing required key (one of: dense, dropout)");
        }
        return;
    }
    r.check_choice(layer.type, vocabulary::layer_types(), "layer type", path + ".type",
                   node["type"]);
    if (layer.type == "dense") {
        r.check_keys(node, path, {"type", "units", "activation", "use_bias", "init"});
        const bool units_read = r.read(node, "units", path, layer.units);
        r.read(node, "activation", path, layer.activation);
        r.read(node, "use_bias", path, layer.use_bias);
        r.read(node, "init", path, layer.init);
        if (!node["units"].IsDefined()) {
            r.problem(path + ".units", node, "missing required key (number of outputs)");
        } else if (units_read && layer.units <= 0) {
            r.problem(path + ".units", node["units"],
                      fmt::format("must be a positive integer, got {}", layer.units));
        }
        r.check_choice(layer.activation, vocabulary::activations(), "activation",
                       path + ".activation",
                       node["activation"].IsDefined() ? node["activation"] : node);
        if (!layer.init.empty() && layer.init != "auto") {
            r.check_choice(layer.init, vocabulary::initializers(), "initializer", path + ".init",
                           node["init"]);
        }
    } else if (layer.type == "dropout") {
        r.check_keys(node, path, {"type", "rate"});
        const bool rate_read = r.read(node, "rate", path, layer.rate);
        if (!node["rate"].IsDefined()) {
            r.problem(path + ".rate", node, "missing required key (fraction of units dropped)");
        } else if (rate_read && !(layer.rate >= 0.0 && layer.rate < 1.0)) {
            r.problem(path + ".rate", node["rate"],
                      fmt::format("must be in [0, 1), got {}", layer.rate));
        }
    }
}

void read_model(SpecReader& r,
                const YAML::Node& root,
                ModelSpec& model,
                std::string& default_init) {
    const YAML::Node node = root["model"];
    if (!node.IsDefined()) {
        r.problem("model", root, "missing required section 'model' (with a list of layers)");
        return;
    }
    if (!r.expect_map(node, "model")) return;
    r.check_keys(node, "model", {"init", "layers"});
    r.read(node, "init", "model", default_init);
    if (default_init != "auto") {
        r.check_choice(default_init, vocabulary::initializers(), "initializer", "model.init",
                       node["init"]);
    }
    const YAML::Node layers = node["layers"];
    if (!layers.IsDefined() || !layers.IsSequence() || layers.size() == 0) {
        r.problem("model.layers", layers.IsDefined() ? layers : node,
                  "expected a non-empty list of layers, e.g. [{type: dense, units: 1}]");
        return;
    }
    model.layers.resize(layers.size());
    for (std::size_t i = 0; i < layers.size(); ++i) {
        read_layer(r, layers[i], "model.layers." + std::to_string(i), model.layers[i]);
    }
}

void read_train(SpecReader& r, const YAML::Node& root, TrainSpec& train) {
    const YAML::Node node = root["train"];
    if (!node.IsDefined()) {
        r.problem("train", root, "missing required section 'train' (with at least loss)");
        return;
    }
    if (!r.expect_map(node, "train")) return;
    r.check_keys(node, "train", {"epochs", "batch_size", "loss", "optimizer", "metrics", "device"});
    const bool epochs_read = r.read(node, "epochs", "train", train.epochs);
    const bool batch_read = r.read(node, "batch_size", "train", train.batch_size);
    r.read(node, "loss", "train", train.loss);
    r.read_list(node, "metrics", "train", train.metrics);
    r.read(node, "device", "train", train.device);
    if (epochs_read && train.epochs <= 0) {
        r.problem("train.epochs", node["epochs"],
                  fmt::format("must be a positive integer, got {}", train.epochs));
    }
    if (batch_read && train.batch_size <= 0) {
        r.problem("train.batch_size", node["batch_size"],
                  fmt::format("must be a positive integer, got {}", train.batch_size));
    }
    if (!node["loss"].IsDefined()) {
        r.problem("train.loss", node, "missing required key (binary_crossentropy or mse)");
    } else if (!train.loss.empty()) {
        r.check_choice(train.loss, vocabulary::losses(), "loss", "train.loss", node["loss"]);
    }
    try {
        train.device = to_string(parse_device(train.device));
    } catch (const Error& e) {
        r.problem("train.device", node["device"], std::string(e.what()) + "; " + e.hint());
    }

    const YAML::Node opt = node["optimizer"];
    if (opt.IsDefined() && r.expect_map(opt, "train.optimizer")) {
        r.check_keys(opt, "train.optimizer", {"type", "lr", "momentum"});
        r.read(opt, "type", "train.optimizer", train.optimizer.type);
        r.read(opt, "lr", "train.optimizer", train.optimizer.lr);
        r.read(opt, "momentum", "train.optimizer", train.optimizer.momentum);
        r.check_choice(train.optimizer.type, vocabulary::optimizers(), "optimizer",
                       "train.optimizer.type", opt["type"].IsDefined() ? opt["type"] : opt);
    }
    if (!(train.optimizer.lr > 0.0 && std::isfinite(train.optimizer.lr))) {
        r.problem("train.optimizer.lr", SpecReader::child(opt, "lr").IsDefined() ? opt["lr"] : node,
                  fmt::format("must be a positive number, got {}", train.optimizer.lr));
    }
    if (!(train.optimizer.momentum >= 0.0 && train.optimizer.momentum < 1.0)) {
        r.problem("train.optimizer.momentum", SpecReader::child(opt, "momentum"),
                  fmt::format("must be in [0, 1), got {}", train.optimizer.momentum));
    }
}

/// Checks that the loss, the output layer and the metrics fit together.
void check_consistency(SpecReader& r, const YAML::Node& root, ExperimentSpec& spec) {
    const auto& layers = spec.model.layers;
    const std::string& loss = spec.train.loss;
    if (layers.empty() || loss.empty()) return;
    const LayerSpec& last = layers.back();
    const std::string last_path = "model.layers." + std::to_string(layers.size() - 1);
    const YAML::Node last_node = root["model"]["layers"][layers.size() - 1];
    if (last.type != "dense") {
        r.problem(last_path, last_node, "the last layer must be dense (it produces the output)");
        return;
    }
    if (loss == "binary_crossentropy" && (last.units != 1 || last.activation != "sigmoid")) {
        r.problem(last_path, last_node,
                  fmt::format("loss 'binary_crossentropy' needs a last layer with units: 1 and "
                              "activation: sigmoid, got units: {}, activation: {}",
                              last.units, last.activation));
    }
    if (loss == "mse" && last.units != 1) {
        r.problem(last_path, last_node,
                  fmt::format("loss 'mse' predicts one target column: the last layer needs "
                              "units: 1, got {}",
                              last.units));
    }
    const YAML::Node metrics_node = root["train"]["metrics"];
    if (spec.train.metrics.empty()) spec.train.metrics = vocabulary::default_metrics(loss);
    for (std::size_t i = 0; i < spec.train.metrics.size(); ++i) {
        const std::string& m = spec.train.metrics[i];
        const auto& choices = vocabulary::metrics_for_loss(loss);
        const auto& s = choices.supported;
        const auto& p = choices.planned;
        if (std::find(s.begin(), s.end(), m) != s.end()) continue;
        const std::string path = "train.metrics." + std::to_string(i);
        const YAML::Node node = metrics_node.IsSequence() ? metrics_node[i] : root["train"];
        if (std::find(p.begin(), p.end(), m) != p.end()) {
            r.check_choice(m, choices, "metric", path, node);
        } else {
            r.problem(path, node,
                      fmt::format("metric '{}' is not available for loss '{}'{}; supported: {}", m,
                                  loss, did_you_mean(m, s), quoted_list(s)));
        }
    }
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
    r.read(root, "name", "", spec.name);
    std::int64_t seed = static_cast<std::int64_t>(spec.seed);
    r.read(root, "seed", "", seed);
    if (seed < 0) r.problem("seed", root["seed"], "must be a non-negative integer");
    spec.seed = static_cast<std::uint64_t>(seed);

    read_data(r, root, spec.data);
    std::string default_init = "auto";
    const std::size_t before_model = r.problems().size();
    read_model(r, root, spec.model, default_init);
    const bool model_ok = r.problems().size() == before_model;
    read_train(r, root, spec.train);

    const YAML::Node output = root["output"];
    bool output_dir_given = false;
    if (output.IsDefined() && r.expect_map(output, "output")) {
        r.check_keys(output, "output", {"dir"});
        r.read(output, "dir", "output", spec.output.dir);
        output_dir_given = output["dir"].IsDefined();
    }
    // Loss, output layer and metrics are only checked against each other for a well-formed model.
    if (model_ok) check_consistency(r, root, spec);
    if (!r.problems().empty()) throw SpecError(r.problems());

    // Fill derived defaults so the resolved spec says exactly what runs.
    if (spec.name.empty()) spec.name = fs::path(source).stem().string();
    if (spec.name.empty()) spec.name = "experiment";
    for (auto& layer : spec.model.layers) {
        if (layer.type != "dense") continue;
        if (layer.init.empty() || layer.init == "auto") {
            layer.init = default_init != "auto" ? default_init
                                                : vocabulary::default_initializer(layer.activation);
        }
    }
    spec.data.path = resolve_path(spec.data.path, base_dir);
    // An explicit output.dir is relative to the spec, like every spec path; the default is
    // relative to the working directory, where users look for runs/.
    spec.output.dir = output_dir_given ? resolve_path(spec.output.dir, base_dir)
                                       : resolve_path("runs/" + spec.name, absolute_path("."));
    return spec;
}

}  // namespace

ExperimentSpec load_spec_from_string(std::string_view yaml,
                                     std::string_view source_name,
                                     const fs::path& base_dir,
                                     const std::vector<std::string>& sets,
                                     const std::vector<Override>& flags) {
    const std::string source(source_name);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& e) {
        throw SpecError({fmt::format("{}:{}:{}: YAML syntax error: {}", source, e.mark.line + 1,
                                     e.mark.column + 1, e.msg)});
    }
    // Bad overrides are reported together with every other problem of the spec.
    std::map<std::string, std::string> overridden;
    std::vector<std::string> problems;
    auto apply = [&](const Override& o) {
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
    return read_spec(root, source, base_dir, overridden, std::move(problems));
}

ExperimentSpec load_spec(const fs::path& file,
                         const std::vector<std::string>& sets,
                         const std::vector<Override>& flags) {
    std::error_code ec;
    if (fs::is_directory(file, ec)) {
        throw UsageError("spec '" + file.string() + "' is a directory, not a YAML file");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw UsageError(
            "cannot open spec '" + file.string() + "': no such file or not readable",
            "pass the path of a YAML experiment spec, e.g. configs/breast_cancer.yaml");
    }
    std::stringstream text;
    text << in.rdbuf();
    return load_spec_from_string(text.str(), file.string(), absolute_path(file).parent_path(), sets,
                                 flags);
}

namespace {
/// Shortest text that reads back as the same double ("0.1", not "0.10000000000000001").
std::string number(double value) { return fmt::format("{}", value); }
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
    out << YAML::Key << "delimiter" << YAML::Value << YAML::DoubleQuoted << d.delimiter;
    out << YAML::Key << "normalize" << YAML::Value << d.normalize;
    out << YAML::Key << "split" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "test" << YAML::Value << number(d.split.test);
    out << YAML::Key << "validation" << YAML::Value << number(d.split.validation);
    out << YAML::Key << "shuffle" << YAML::Value << d.split.shuffle;
    out << YAML::EndMap << YAML::EndMap;

    out << YAML::Key << "model" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
    for (const LayerSpec& layer : spec.model.layers) {
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "type" << YAML::Value << layer.type;
        if (layer.type == "dense") {
            out << YAML::Key << "units" << YAML::Value << layer.units;
            out << YAML::Key << "activation" << YAML::Value << layer.activation;
            out << YAML::Key << "use_bias" << YAML::Value << layer.use_bias;
            out << YAML::Key << "init" << YAML::Value << layer.init;
        } else if (layer.type == "dropout") {
            out << YAML::Key << "rate" << YAML::Value << number(layer.rate);
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;

    const TrainSpec& t = spec.train;
    out << YAML::Key << "train" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "epochs" << YAML::Value << t.epochs;
    out << YAML::Key << "batch_size" << YAML::Value << t.batch_size;
    out << YAML::Key << "loss" << YAML::Value << t.loss;
    out << YAML::Key << "optimizer" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << t.optimizer.type;
    out << YAML::Key << "lr" << YAML::Value << number(t.optimizer.lr);
    out << YAML::Key << "momentum" << YAML::Value << number(t.optimizer.momentum);
    out << YAML::EndMap;
    out << YAML::Key << "metrics" << YAML::Value << YAML::Flow << t.metrics;
    out << YAML::Key << "device" << YAML::Value << t.device;
    out << YAML::EndMap;

    out << YAML::Key << "output" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "dir" << YAML::Value << spec.output.dir;
    out << YAML::EndMap;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace dlctl
