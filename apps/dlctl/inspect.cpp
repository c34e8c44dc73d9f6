#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/core/error.h"
#include "dlctl/inference/predictor.h"
#include "dlctl/nn/model_builder.h"

namespace dlctl::cli {

namespace {

using nlohmann::json;

struct InspectOptions {
    std::string checkpoint;
    bool json = false;
};

/// Characters of UTF-8 `text` (the bytes that start one).
std::size_t display_width(const std::string& text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

/// `text` followed by spaces to `width` characters.
std::string padded(const std::string& text, std::size_t width) {
    const std::size_t shown = display_width(text);
    return text + std::string(width > shown ? width - shown : 0, ' ');
}

json describe(const Checkpoint& c, const std::string& path) {
    const auto model = build_model(c.spec.model, c.preprocessor.width(), c.spec.train.l1,
                                   c.spec.train.l2, c.preprocessor.input_kinds());
    json layers = json::array();
    std::int64_t total = 0;
    for (std::size_t i = 0; i < model->layers().size(); ++i) {
        const Layer& layer = *model->layers()[i];
        const LayerSpec& spec = c.spec.model.layers[i];
        std::string detail;
        if (spec.type == "dense" || spec.type == "activation") detail = spec.activation;
        if (spec.type == "dropout") detail = fmt::format("rate {}", spec.rate);
        if (spec.type == "dense" && !spec.ensemble.empty()) detail += ", " + spec.ensemble;
        if (spec.parametric) detail += ", parametric";
        if (spec.lr_scale != 1.0)
            detail += fmt::format("{}lr × {}", detail.empty() ? "" : ", ", spec.lr_scale);
        if (spec.type == "category_embedding")
            detail = fmt::format("{} units a column", spec.units);
        if (spec.type == "bin_embedding") {
            detail = fmt::format("{} units a column, {}", spec.units, spec.activation);
        }
        if (spec.type == "periodic_embedding") {
            detail = fmt::format("{} frequencies, {} units an input, sigma {}", spec.frequencies,
                                 spec.units, spec.sigma);
        }
        if (spec.type == "ensemble") {
            detail = fmt::format("{} members{}", spec.members, spec.scale ? ", scaled" : "");
        }
        layers.push_back({{"index", i},
                          {"type", layer.type()},
                          {"detail", detail},
                          {"output_shape", {nullptr, layer.output_size()}},
                          {"parameters", layer.parameter_count()}});
        total += layer.parameter_count();
    }
    json metrics = json::object();
    for (std::size_t i = 0; i < c.history.last.size(); ++i) {
        const std::string& cell = c.history.last[i];
        char* end = nullptr;
        const double value = std::strtod(cell.c_str(), &end);
        if (!cell.empty() && *end == '\0' && std::isfinite(value))
            metrics[c.history.columns[i]] = value;
    }
    auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    json preprocessing = json::parse(c.preprocessor.to_json());
    return {{"checkpoint", path},
            {"format_version", c.format_version},
            {"dlctl_version", c.dlctl_version},
            {"experiment", c.spec.name},
            {"seed", c.spec.seed},
            {"task",
             {{"task", c.task.task},
              {"target", c.task.target},
              {"labels", c.task.labels},
              {"target_offset", c.task.target_offset},
              {"target_scale", c.task.target_scale}}},
            {"model",
             {{"inputs", model->input_size()},
              {"layers", layers},
              {"parameters", total},
              {"output_activation", to_string(model->output_activation())}}},
            {"preprocessing", preprocessing},
            {"data", {{"path", c.data.path}, {"rows", c.data.rows}}},
            {"training",
             {{"epoch", c.state.epoch},
              {"epochs", c.spec.train.epochs},
              {"global_step", c.state.global_step},
              {"best_monitor", c.best_monitor},
              {"best_value", number(c.state.checkpoint_best.best)},
              {"best_epoch", c.state.checkpoint_best.best_epoch},
              {"metrics", metrics}}}};
}

/// How a calibrated checkpoint's temperature was fitted (dlctl calibrate).
json calibration_json(const Calibration& k) {
    auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    return {{"temperature", k.temperature},
            {"data", k.data},
            {"rows", k.rows},
            {"nll_before", number(k.nll_before)},
            {"nll_after", number(k.nll_after)},
            {"ece_before", number(k.ece_before)},
            {"ece_after", number(k.ece_after)}};
}

/// "N columns (a numeric, b boolean, c categorical)", the types that occur.
std::string feature_counts(const json& features) {
    std::map<std::string, int> by_type;
    for (const auto& f : features) ++by_type[f["type"].get<std::string>()];
    std::vector<std::string> parts;
    for (const char* type : {"numeric", "boolean", "categorical"}) {
        if (by_type.count(type) > 0) parts.push_back(fmt::format("{} {}", by_type[type], type));
    }
    return fmt::format("{} column{} ({})", features.size(), features.size() == 1 ? "" : "s",
                       fmt::join(parts, ", "));
}

/// The input columns, how each becomes model inputs; the first kListed of them.
void print_columns(const json& features) {
    constexpr std::size_t kListed = 40;
    std::printf("%-24s %-12s %s\n", "column", "type", "encoding");
    for (std::size_t i = 0; i < features.size() && i < kListed; ++i) {
        const json& f = features[i];
        std::string encoding;
        if (f["type"] == "categorical") {
            encoding = fmt::format("{} over {} values",
                                   f.value("embedded", false) ? "learned embedding" : "one-hot",
                                   f["vocabulary"].size());
        } else if (f.value("map", "") == "piecewise_linear") {
            encoding = fmt::format("piecewise-linear over {} quantile bins", f["knots"].size() - 1);
        } else if (f.value("map", "") == "quantile") {
            encoding = fmt::format("normal quantile of its rank among {} training values",
                                   f["knots"].size());
        } else {
            encoding = fmt::format("(x - {:.6g}) / {:.6g}", f["offset"].get<double>(),
                                   f["scale"].get<double>());
            if (f.value("map", "") == "smooth_clip")
                encoding = "z = " + encoding + ", smooth-clipped";
        }
        if (f["type"] != "categorical") {
            encoding += f["fill"].is_null()
                            ? ", missing: error"
                            : fmt::format(", missing: {:.6g}", f["fill"].get<double>());
            if (f["indicator"].get<bool>()) encoding += " + indicator";
        }
        std::printf("%-24s %-12s %s\n", f["name"].get<std::string>().c_str(),
                    f["type"].get<std::string>().c_str(), encoding.c_str());
    }
    if (features.size() > kListed) {
        std::printf("... and %zu more (--json lists every column)\n", features.size() - kListed);
    }
    std::printf("\n");
}

void print_text(const json& d) {
    const json& task = d["task"];
    std::printf("checkpoint  %s (format %d, dlctl %s)\n",
                d["checkpoint"].get<std::string>().c_str(), d["format_version"].get<int>(),
                d["dlctl_version"].get<std::string>().c_str());
    std::printf("experiment  %s (seed %llu)\n", d["experiment"].get<std::string>().c_str(),
                static_cast<unsigned long long>(d["seed"].get<std::uint64_t>()));
    std::string labels;
    for (const auto& l : task["labels"])
        labels += (labels.empty() ? "" : ", ") + l.get<std::string>();
    std::printf("task        %s, target '%s'%s\n", task["task"].get<std::string>().c_str(),
                task["target"].get<std::string>().c_str(),
                labels.empty() ? "" : (", labels " + labels).c_str());
    const json& pre = d["preprocessing"];
    std::printf("features    %s -> %lld model inputs, normalize %s\n",
                feature_counts(pre["features"]).c_str(),
                static_cast<long long>(d["model"]["inputs"].get<std::int64_t>()),
                pre["normalize"].get<std::string>().c_str());
    std::printf("data        %s (%llu rows)\n\n", d["data"]["path"].get<std::string>().c_str(),
                static_cast<unsigned long long>(d["data"]["rows"].get<std::uint64_t>()));
    print_columns(pre["features"]);
    std::size_t type_width = 12, detail_width = 20;
    for (const auto& layer : d["model"]["layers"]) {
        type_width = std::max(type_width, display_width(layer["type"]) + 1);
        detail_width = std::max(detail_width, display_width(layer["detail"]) + 1);
    }
    std::printf("%-6s %s %s %-14s %s\n", "layer", padded("type", type_width).c_str(),
                padded("", detail_width).c_str(), "output shape", "parameters");
    for (const auto& layer : d["model"]["layers"]) {
        std::printf("%-6d %s %s %-14s %lld\n", layer["index"].get<int>(),
                    padded(layer["type"], type_width).c_str(),
                    padded(layer["detail"], detail_width).c_str(),
                    fmt::format("(None, {})", layer["output_shape"][1].get<std::int64_t>()).c_str(),
                    static_cast<long long>(layer["parameters"].get<std::int64_t>()));
    }
    std::printf("total parameters: %lld (inputs %lld, output activation %s)\n\n",
                static_cast<long long>(d["model"]["parameters"].get<std::int64_t>()),
                static_cast<long long>(d["model"]["inputs"].get<std::int64_t>()),
                d["model"]["output_activation"].get<std::string>().c_str());
    const json& t = d["training"];
    std::printf("training    epoch %d of %d, step %llu; best %s %s at epoch %d\n",
                t["epoch"].get<int>(), t["epochs"].get<int>(),
                static_cast<unsigned long long>(t["global_step"].get<std::uint64_t>()),
                t["best_monitor"].get<std::string>().c_str(),
                t["best_value"].is_null()
                    ? "-"
                    : fmt::format("{:.6g}", t["best_value"].get<double>()).c_str(),
                t["best_epoch"].get<int>());
    for (const auto& [name, value] : t["metrics"].items()) {
        if (name == "epoch") continue;
        std::printf("  %-20s %.6g\n", name.c_str(), value.get<double>());
    }
    if (d.contains("calibration")) {
        const json& k = d["calibration"];
        const auto shown = [](const json& v) {
            return v.is_null() ? std::string("-") : fmt::format("{:.4f}", v.get<double>());
        };
        std::printf(
            "calibrated  temperature %.4g, fitted on %s (%llu rows): log loss %s -> %s, ece %s "
            "-> %s\n",
            k["temperature"].get<double>(), k["data"].get<std::string>().c_str(),
            static_cast<unsigned long long>(k["rows"].get<std::uint64_t>()),
            shown(k["nll_before"]).c_str(), shown(k["nll_after"]).c_str(),
            shown(k["ece_before"]).c_str(), shown(k["ece_after"]).c_str());
    }
}

int run_inspect(const InspectOptions& o) {
    const Checkpoint checkpoint = read_checked_checkpoint(o.checkpoint);
    json d = describe(checkpoint, o.checkpoint);
    if (checkpoint.calibration) d["calibration"] = calibration_json(*checkpoint.calibration);
    if (o.json) {
        std::printf("%s\n", d.dump(2).c_str());
    } else {
        print_text(d);
    }
    return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<InspectOptions>();
    CLI::App* cmd = app.add_subcommand(
        "inspect", "show a checkpoint's architecture, preprocessing and training state");
    cmd->add_option("CHECKPOINT", options->checkpoint, "checkpoint file")->required();
    cmd->add_flag("--json", options->json, "machine-readable output");
    cmd->footer(
        "Examples:\n"
        "  dlctl inspect runs/x/checkpoints/best.safetensors\n"
        "  dlctl inspect runs/x/checkpoints/last.safetensors --json | jq .training");
    cmd->callback([options, &action] { action = [options] { return run_inspect(*options); }; });
}

}  // namespace dlctl::cli
