#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "commands.h"
#include "dlctl/checkpoint/ensemble_manifest.h"
#include "dlctl/core/error.h"
#include "dlctl/core/whole_file.h"
#include "dlctl/export/onnx_export.h"
#include "dlctl/export/onnx_runtime_check.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/io/atomic_file.h"

namespace dlctl::cli {

namespace {

struct ExportOptions {
    std::vector<std::string> checkpoints;
    std::string output;
    int opset = kNewestOnnxOpset;
    std::string verify;
    double tolerance = 1e-5;
    bool int8 = false;
    std::string calibrate;
};

std::string describe(const std::vector<std::pair<std::string, std::string>>& values) {
    std::vector<std::string> parts;
    for (const auto& [name, type] : values) parts.push_back(name + " (" + type + ")");
    return fmt::format("{}", fmt::join(parts, ", "));
}

/// Runs ONNX Runtime and dlctl on `o.verify`'s rows: an internal error (exit 1) when they differ
/// by more than the tolerance.
void verify(const ExportOptions& o, const OnnxExport& model, Ensemble& ensemble) {
    const OnnxComparison c = compare_with_onnx_runtime(model, ensemble, o.verify);
    spdlog::info(
        "verified on {} rows of {} with {}: largest difference {:.3g} (row {}), {} labels differ",
        c.rows, o.verify, c.runtime, c.largest_difference, c.worst_row + 1, c.label_mismatches);
    if (c.largest_difference > o.tolerance || c.label_mismatches > 0) {
        throw Error(ExitCode::kInternal,
                    fmt::format("the exported graph disagrees with dlctl predict on {}: largest "
                                "difference {:.3g} at data row {} (--tolerance {:g}), {} labels "
                                "differ; {} was not written",
                                o.verify, c.largest_difference, c.worst_row + 1, o.tolerance,
                                c.label_mismatches, o.output),
                    "this is a bug in dlctl export; please report it with the checkpoint");
    }
}

/// The int8 graph's metrics against the float graph's and dlctl's on `o.calibrate`, and sizes.
void report_quantization(const ExportOptions& o,
                         const OnnxExport& full,
                         const OnnxExport& int8,
                         Ensemble& ensemble) {
    const QuantizationReport q = compare_quantized(full, int8, ensemble, o.calibrate, 0.5);
    std::string table =
        fmt::format("{:<18} {:>12} {:>12} {:>12}\n", "metric", "dlctl", "onnx float", "onnx int8");
    for (std::size_t i = 0; i < q.int8.size(); ++i) {
        table += fmt::format("{:<18} {:>12.6g} {:>12.6g} {:>12.6g}\n", q.int8[i].first,
                             q.dlctl[i].second, q.full[i].second, q.int8[i].second);
    }
    table += fmt::format("{:<18} {:>12} {:>12} {:>12}\n", "file size", "",
                         byte_size_text(full.bytes.size()), byte_size_text(int8.bytes.size()));
    std::fputs(table.c_str(), stdout);
    spdlog::info(
        "int8 weights on {} rows of {} ({}): largest difference from the float graph {:.3g}, "
        "{} labels differ",
        q.rows, o.calibrate, q.runtime, q.difference.largest_difference,
        q.difference.label_mismatches);
}

int run_export(const ExportOptions& o) {
    if (!(o.tolerance >= 0.0)) {
        throw UsageError(fmt::format("--tolerance {} is not a difference", o.tolerance),
                         "give a number >= 0, e.g. --tolerance 1e-5");
    }
    if (!o.calibrate.empty() && !o.int8) {
        throw UsageError("--calibrate compares int8 weights with float ones", "add --int8");
    }
    if (std::filesystem::is_directory(o.output)) {
        throw UsageError("-o " + o.output + " is a directory", "name the .onnx file to write");
    }
    const std::vector<std::filesystem::path> paths = expand_ensemble_manifests(o.checkpoints);
    std::vector<Checkpoint> checkpoints;
    for (const auto& path : paths) checkpoints.push_back(read_checked_checkpoint(path));
    std::vector<const Checkpoint*> members;
    for (std::size_t i = 0; i < checkpoints.size(); ++i) {
        if (i > 0)
            check_same_prediction(checkpoints[0].task, paths[0], checkpoints[i].task, paths[i]);
        members.push_back(&checkpoints[i]);
    }
    const OnnxExport model = export_onnx(members, o.opset, o.int8);
    if (!o.verify.empty() || !o.calibrate.empty()) {
        std::optional<OnnxExport> float_graph;
        const OnnxExport& full =
            o.int8 ? float_graph.emplace(export_onnx(members, o.opset, false)) : model;
        // dlctl's own predictions, to compare with: the checkpoints loaded for inference.
        Ensemble ensemble(o.checkpoints, "cpu", 1);
        // --verify checks the export itself, so the float graph; --calibrate measures the int8 one.
        if (!o.verify.empty()) verify(o, full, ensemble);
        if (!o.calibrate.empty()) report_quantization(o, full, model, ensemble);
    }
    write_file_atomic(o.output, model.bytes);
    spdlog::info("wrote {} ({}, opset {}{}{})", o.output, byte_size_text(model.bytes.size()),
                 o.opset, o.int8 ? ", int8 weights" : "",
                 members.size() > 1 ? fmt::format(", an ensemble of {}", members.size()) : "");
    spdlog::info("inputs: {}", describe(model.inputs));
    spdlog::info("outputs: {}", describe(model.outputs));
    return 0;
}

}  // namespace

void add_export_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<ExportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "export", "write a checkpoint as an ONNX model, its preprocessing in the graph");
    cmd->add_option("CHECKPOINT", options->checkpoints,
                    "checkpoint file, or a cross-validation run's checkpoints/ensemble.json "
                    "(several: one graph averaging them)")
        ->required();
    cmd->add_option("-o,--output", options->output, "the .onnx file to write (replaced atomically)")
        ->required();
    cmd->add_option("--opset", options->opset,
                    fmt::format("ONNX opset, {} to {} (default {})", kOldestOnnxOpset,
                                kNewestOnnxOpset, kNewestOnnxOpset));
    cmd->add_option("--verify", options->verify,
                    "a CSV to run both dlctl and ONNX Runtime (the onnxruntime Python package) "
                    "on; the file is written only if they agree");
    cmd->add_option("--tolerance", options->tolerance,
                    "--verify's largest allowed difference, relative to max(1, |value|) "
                    "(default 1e-5)");
    cmd->add_flag("--int8", options->int8,
                  "store weight matrices as int8 with a scale per unit (QuantizeLinear's QDQ form, "
                  "which ONNX Runtime runs): the weights take a quarter of their float size");
    cmd->add_option("--calibrate", options->calibrate,
                    "with --int8: a labelled CSV to score the int8 and the float graph on (ONNX "
                    "Runtime), printing eval's metrics for both and their file sizes");
    cmd->footer(
        "The graph's inputs are the original columns by name, one value a row: float32 for\n"
        "numeric and boolean (1/0) columns, NaN when missing; strings for categorical columns,\n"
        "missing as \"\" or one of data.na_values. Outputs: 'prediction' (regression, in the\n"
        "target's units), or 'label' and 'probabilities' ([rows, classes], in the order of the\n"
        "model's labels). Rows dlctl predict would refuse come out NaN.\n\n"
        "Examples:\n"
        "  dlctl export runs/x/checkpoints/best.safetensors -o model.onnx\n"
        "  dlctl export runs/x/checkpoints/best.safetensors -o model.onnx --verify data/test.csv\n"
        "  dlctl export runs/cv/checkpoints/ensemble.json -o ensemble.onnx\n"
        "  dlctl export best.safetensors -o small.onnx --int8 --calibrate data/validation.csv");
    cmd->callback([options, &action] { action = [options] { return run_export(*options); }; });
}

}  // namespace dlctl::cli
