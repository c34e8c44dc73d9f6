#include "dlctl/checkpoint/checkpoint.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "dlctl/config/spec_loader.h"
#include "dlctl/core/crc32.h"
#include "dlctl/core/error.h"
#include "dlctl/io/metrics_csv.h"

namespace dlctl {

namespace {

using nlohmann::json;
constexpr const char* kFormat = "dlctl-checkpoint";

/// JSON has no infinities; a monitor's "no best yet" is one, so non-finite values are strings.
json number(double value) {
    if (std::isfinite(value)) return value;
    return std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
}

double number_from(const json& value) {
    if (value.is_number()) return value.get<double>();
    const auto text = value.get<std::string>();
    if (text == "inf") return std::numeric_limits<double>::infinity();
    if (text == "-inf") return -std::numeric_limits<double>::infinity();
    if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
    throw std::invalid_argument("'" + text + "' is not a number");
}

json monitor_json(const MonitorState& m) {
    return {{"best", number(m.best)}, {"best_epoch", m.best_epoch}, {"wait", m.wait}};
}

MonitorState monitor_from(const json& j) {
    return {number_from(j.at("best")), j.at("best_epoch").get<int>(), j.at("wait").get<int>()};
}

json state_json(const Checkpoint& c) {
    const TrainerState& s = c.state;
    return {{"epoch", s.epoch},
            {"global_step", s.global_step},
            {"optimizer_step", s.optimizer_step},
            {"rng", {{"algorithm", "philox4x32-10"}, {"seed", c.spec.seed}}},
            {"early_stopping", monitor_json(s.early_stopping)},
            {"best_checkpoint",
             {{"monitor", c.best_monitor}, {"state", monitor_json(s.checkpoint_best)}}},
            {"schedule",
             {{"plateau_lr", number(s.schedule.plateau_lr)},
              {"best", number(s.schedule.best)},
              {"bad_epochs", s.schedule.bad_epochs},
              {"cooldown_left", s.schedule.cooldown_left}}},
            {"history",
             {{"columns", c.history.columns},
              {"rows", c.history.rows},
              {"last", c.history.last},
              {"crc32", c.history.crc32}}}};
}

/// The history of a training state: version 3's digest, or version 2's rows digested.
HistoryDigest history_from(const json& j) {
    auto columns = j.at("columns").get<std::vector<std::string>>();
    const json& rows = j.at("rows");
    if (rows.is_array()) {
        const auto all = rows.get<std::vector<std::vector<std::string>>>();
        for (const auto& row : all) {
            if (row.size() != columns.size()) {
                throw std::invalid_argument("a history row does not match its columns");
            }
        }
        return HistoryDigest::of(std::move(columns), all);
    }
    if (!rows.is_number_unsigned() || !j.at("crc32").is_number_unsigned()) {
        throw std::invalid_argument("history rows and crc32 must be unsigned integers");
    }
    HistoryDigest h;
    h.columns = std::move(columns);
    h.rows = rows.get<std::uint64_t>();
    h.last = j.at("last").get<std::vector<std::string>>();
    h.crc32 = j.at("crc32").get<std::uint32_t>();
    if (h.last.size() != (h.rows == 0 ? 0 : h.columns.size())) {
        throw std::invalid_argument("the last history row does not match its columns");
    }
    return h;
}

void state_from(const json& j, Checkpoint& c) {
    TrainerState& s = c.state;
    s.epoch = j.at("epoch").get<int>();
    s.global_step = j.at("global_step").get<std::uint64_t>();
    s.optimizer_step = j.at("optimizer_step").get<std::int64_t>();
    s.early_stopping = monitor_from(j.at("early_stopping"));
    c.best_monitor = j.at("best_checkpoint").at("monitor").get<std::string>();
    s.checkpoint_best = monitor_from(j.at("best_checkpoint").at("state"));
    const json& schedule = j.at("schedule");
    s.schedule = {number_from(schedule.at("plateau_lr")), number_from(schedule.at("best")),
                  schedule.at("bad_epochs").get<int>(), schedule.at("cooldown_left").get<int>()};
    c.history = history_from(j.at("history"));
    if (s.epoch < 0 || s.optimizer_step < 1) throw std::invalid_argument("negative counters");
    if (c.history.rows > static_cast<std::uint64_t>(s.epoch)) {
        throw std::invalid_argument("the history has more rows than epochs");
    }
}

json task_json(const TaskInfo& t) {
    return {{"task", t.task},
            {"classes", t.classes},
            {"target", t.target},
            {"labels", t.labels},
            {"target_offset", t.target_offset},
            {"target_scale", t.target_scale}};
}

TaskInfo task_from(const json& j) {
    TaskInfo t{j.at("task").get<std::string>(),     j.at("classes").get<int>(),
               j.at("target").get<std::string>(),   j.at("labels").get<std::vector<std::string>>(),
               j.at("target_offset").get<double>(), j.at("target_scale").get<double>()};
    const bool valid = (t.task == "regression" && t.classes == 0 && t.labels.empty()) ||
                       (t.task == "binary" && t.classes == 1 && t.labels.size() == 2) ||
                       (t.task == "multiclass" && t.classes >= 2 &&
                        t.labels.size() == static_cast<std::size_t>(t.classes));
    if (!valid) throw std::invalid_argument("task, classes and labels do not fit together");
    if (!(t.target_scale > 0.0)) throw std::invalid_argument("target_scale is not positive");
    return t;
}

json calibration_json(const Calibration& c) {
    return {{"temperature", c.temperature},
            {"data", c.data},
            {"rows", c.rows},
            {"nll_before", number(c.nll_before)},
            {"nll_after", number(c.nll_after)},
            {"ece_before", number(c.ece_before)},
            {"ece_after", number(c.ece_after)}};
}

/// The calibration key: a positive, finite temperature (the rest only describes its fitting).
Calibration calibration_from(const json& j, const TaskInfo& task) {
    Calibration c;
    c.temperature = j.at("temperature").get<double>();
    if (!(std::isfinite(c.temperature) && c.temperature > 0.0)) {
        throw std::invalid_argument("the temperature is not a positive number");
    }
    if (task.classes == 0) throw std::invalid_argument("a regression model has no temperature");
    c.data = j.value("data", std::string{});
    c.rows = j.value("rows", std::uint64_t{0});
    const auto optional_number = [&j](const char* key) {
        return j.contains(key) ? number_from(j.at(key)) : std::nan("");
    };
    c.nll_before = optional_number("nll_before");
    c.nll_after = optional_number("nll_after");
    c.ece_before = optional_number("ece_before");
    c.ece_after = optional_number("ece_after");
    return c;
}

/// The layers as plain JSON, so a script can run the model without a YAML parser.
json model_json(const ModelSpec& model) {
    json layers = json::array();
    for (const LayerSpec& l : model.layers) {
        json layer = {{"type", l.type}};
        if (l.type == "dense" || l.type == "activation") {
            layer["activation"] = l.activation;
            layer["alpha"] = l.alpha;
        }
        if (l.type == "activation" && l.parametric) layer["parametric"] = true;
        if (l.type == "dense") layer["units"] = l.units;
        if (l.type == "dense" && !l.ensemble.empty()) layer["ensemble"] = l.ensemble;
        if (l.type == "ensemble") {
            layer["members"] = l.members;
            layer["scale"] = l.scale;
        }
        if (l.type == "category_embedding") layer["units"] = l.units;
        if (l.type == "bin_embedding") {
            layer["units"] = l.units;
            layer["activation"] = l.activation;
        }
        if (l.type == "periodic_embedding") {
            layer["units"] = l.units;
            layer["frequencies"] = l.frequencies;
        }
        if (l.type == "dropout") layer["rate"] = l.rate;
        if (l.type == "batch_norm" || l.type == "layer_norm") layer["eps"] = l.eps;
        layers.push_back(layer);
    }
    return {{"layers", layers}};
}

/// The outputs of the model `spec` describes: the units of its last dense layer.
int output_units(const ModelSpec& model) {
    int units = 0;
    for (const LayerSpec& l : model.layers) {
        if (l.type == "dense") units = l.units;
    }
    return units;
}

/// The task metadata must describe the saved model, or predictions would read past its outputs.
void check_task_fits_model(const TaskInfo& t, const ExperimentSpec& spec) {
    if (t.task != spec.data.task || t.target != spec.data.target) {
        throw std::invalid_argument(
            fmt::format("task '{}' of target '{}' is not the saved spec's task '{}' of target '{}'",
                        t.task, t.target, spec.data.task, spec.data.target));
    }
    const int expected = t.classes == 0 ? 1 : t.classes;
    const int units = output_units(spec.model);
    if (units != expected) {
        throw std::invalid_argument(fmt::format(
            "the task has {} class{} ({} output{}), but the model's output layer has {} units",
            t.classes, t.classes == 1 ? "" : "es", expected, expected == 1 ? "" : "s", units));
    }
}

}  // namespace

HistoryDigest HistoryDigest::of(std::vector<std::string> columns,
                                const std::vector<std::vector<std::string>>& rows) {
    HistoryDigest h;
    h.crc32 = dlctl::crc32(metrics_csv_line(columns));
    h.columns = std::move(columns);
    for (const auto& row : rows) h.add(row);
    return h;
}

void HistoryDigest::add(std::vector<std::string> row) {
    crc32 = dlctl::crc32(metrics_csv_line(row), crc32);
    ++rows;
    last = std::move(row);
}

std::map<std::string, std::string> run_metadata(const Checkpoint& c) {
    std::map<std::string, std::string> out = {
        {"format", kFormat},
        {"format_version", std::to_string(kCheckpointFormatVersion)},
        {"dlctl_version", c.dlctl_version},
        {"spec", c.spec_yaml},
        {"preprocessor", c.preprocessor.to_json()},
        {"task", task_json(c.task).dump()},
        {"data",
         json{{"path", c.data.path}, {"rows", c.data.rows}, {"crc32", c.data.crc32}}.dump()},
        {"model", model_json(c.spec.model).dump()},
    };
    if (c.calibration) out["calibration"] = calibration_json(*c.calibration).dump();
    return out;
}

void write_checkpoint(const std::filesystem::path& path,
                      const Checkpoint& c,
                      const std::map<std::string, std::string>& run) {
    write_checkpoint(path, c, run, sources_of(c.tensors));
}

void write_checkpoint(const std::filesystem::path& path,
                      const Checkpoint& c,
                      const std::map<std::string, std::string>& run,
                      const std::vector<TensorSource>& tensors) {
    std::map<std::string, std::string> metadata = run;
    metadata["training_state"] = state_json(c).dump();
    write_safetensors(path, tensors, metadata);
}

void write_checkpoint(const std::filesystem::path& path, const Checkpoint& c) {
    write_checkpoint(path, c, run_metadata(c));
}

namespace {

Checkpoint from_parts(const std::string& name,
                      std::map<std::string, std::string> metadata,
                      std::vector<NamedTensor> tensors) {
    Checkpoint c;
    auto fail = [&](const std::string& problem, const std::string& hint) -> Checkpoint {
        throw IoError("'" + name + "' " + problem, hint);
    };
    const auto format = metadata.find("format");
    if (format == metadata.end() || format->second != kFormat) {
        return fail("is a safetensors file but not a dlctl checkpoint (no format: " +
                        std::string(kFormat) + " in its metadata)",
                    format != metadata.end() && format->second == "dlctl-weights"
                        ? "it holds only weights (a run's model.safetensors); use "
                          "checkpoints/last.safetensors or best.safetensors of the run"
                        : "pass a checkpoints/*.safetensors file written by dlctl train");
    }
    const auto version = metadata.find("format_version");
    if (version == metadata.end() ||
        (version->second != std::to_string(kCheckpointFormatVersion) && version->second != "2")) {
        return fail("has checkpoint format version " +
                        (version == metadata.end() ? std::string("(none)") : version->second) +
                        "; this dlctl reads versions 2 and " +
                        std::to_string(kCheckpointFormatVersion),
                    "use the dlctl version that wrote it (" + metadata["dlctl_version"] + ")");
    }
    c.format_version = std::stoi(version->second);  // "2" or the current version, checked
    const char* key = "";
    try {
        key = "dlctl_version";
        c.dlctl_version = metadata.at(key);
        key = "spec";
        c.spec_yaml = metadata.at(key);
        key = "preprocessor";
        c.preprocessor = Preprocessor::from_json(metadata.at(key));
        key = "task";
        c.task = task_from(json::parse(metadata.at(key)));
        key = "data";
        const json data = json::parse(metadata.at(key));
        if (!data.at("rows").is_number_unsigned() || !data.at("crc32").is_number_unsigned()) {
            throw std::invalid_argument("rows and crc32 must be unsigned integers");
        }
        c.data = {data.at("path").get<std::string>(), data.at("rows").get<std::uint64_t>(),
                  data.at("crc32").get<std::uint32_t>()};
        key = "training_state";
        state_from(json::parse(metadata.at(key)), c);
        key = "calibration";  // optional: written by dlctl calibrate
        if (const auto it = metadata.find(key); it != metadata.end()) {
            c.calibration = calibration_from(json::parse(it->second), c.task);
        }
    } catch (const std::exception& e) {
        return fail(std::string("has invalid checkpoint metadata '") + key + "': " + e.what(),
                    "the file is damaged or was not written by dlctl; re-create it");
    }
    try {
        c.spec = load_spec_from_string(c.spec_yaml, name + " (saved spec)", "/");
    } catch (const Error& e) {
        return fail(std::string("holds a spec this dlctl cannot read: ") + e.what(),
                    "use the dlctl version that wrote it (" + c.dlctl_version + ")");
    }
    try {
        check_task_fits_model(c.task, c.spec);
    } catch (const std::invalid_argument& e) {
        return fail(std::string("has checkpoint metadata that does not fit its model: ") + e.what(),
                    "the file is damaged or was not written by dlctl; re-create it");
    }
    c.tensors = std::move(tensors);
    return c;
}

}  // namespace

Checkpoint read_checkpoint(const std::filesystem::path& path) {
    std::map<std::string, std::string> metadata;
    std::vector<NamedTensor> tensors = read_safetensors(path, &metadata);
    return from_parts(path.string(), std::move(metadata), std::move(tensors));
}

Checkpoint parse_checkpoint(const std::string& name, std::string_view bytes) {
    std::map<std::string, std::string> metadata;
    std::vector<NamedTensor> tensors = parse_safetensors(name, bytes, &metadata);
    return from_parts(name, std::move(metadata), std::move(tensors));
}

}  // namespace dlctl
