#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.h"
#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/checkpoint/ensemble_manifest.h"
#include "dlctl/core/build_info.h"
#include "dlctl/core/error.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/inference/labelled_rows.h"
#include "dlctl/inference/temperature_scaling.h"
#include "dlctl/metrics/calibration_error.h"

namespace dlctl::cli {

namespace {

namespace fs = std::filesystem;

struct CalibrateOptions {
    std::string checkpoint;
    std::string data;
    std::string output;
    std::string device = "auto";
    int threads = 0;
};

/// Log loss and expected calibration error of `logits` at `temperature`.
struct Scores {
    double nll = 0.0;
    double ece = 0.0;
};

Scores scores(const LabelledLogits& logits, double temperature) {
    const std::vector<float> p = tempered_probabilities(logits, temperature);
    return {
        tempered_nll(logits, temperature),
        expected_calibration_error(p.data(), logits.targets.data(), logits.rows, logits.classes)};
}

int run_calibrate(const CalibrateOptions& o) {
    if (is_ensemble_manifest(o.checkpoint)) {
        throw UsageError(
            "calibrate takes one checkpoint file; '" + o.checkpoint + "' is an ensemble file",
            "calibrate each checkpoint it names: eval and predict then divide each "
            "member's logits by its own temperature");
    }
    if (fs::is_directory(o.output)) {
        throw UsageError("-o " + o.output + " is a directory",
                         "name the .safetensors file to write");
    }
    Ensemble ensemble({o.checkpoint}, o.device, o.threads);
    Predictor& model = ensemble.first();
    const TaskInfo& task = model.task();
    if (task.classes == 0) {
        throw UsageError("'" + o.checkpoint +
                             "' is a regression model; temperature scaling calibrates the "
                             "probabilities of a classifier",
                         "calibrate a binary or multiclass checkpoint");
    }
    const LabelledRows rows = read_labelled_rows(o.data, ensemble);
    const Dataset encoded = model.encode(*rows.tables.front(), rows.rows, true);
    const LabelledLogits logits{encoded.n_rows, model.members(), task.classes,
                                model.logits(encoded), encoded.targets};

    const double old_temperature = model.temperature();
    double temperature = fit_temperature(logits);
    const Scores before = scores(logits, old_temperature);
    Scores after = scores(logits, temperature);
    if (before.nll < after.nll) {  // an earlier calibration that still fits better: kept
        temperature = old_temperature;
        after = before;
    }
    if (std::abs(std::log(temperature)) >= kMaxLogTemperature - 1e-6) {
        spdlog::warn(
            "the temperature {:.4g} is at the end of the range searched (e^-5 to e^5): "
            "are the rows of {} labelled as the model's training data was?",
            temperature, o.data);
    }

    Checkpoint checkpoint = read_checkpoint(o.checkpoint);  // every tensor, optimizer state too
    checkpoint.calibration = Calibration{temperature, o.data,     rows.rows.size(), before.nll,
                                         after.nll,   before.ece, after.ece};
    checkpoint.dlctl_version = build_info().version;
    const bool in_place = fs::exists(o.output) && fs::equivalent(o.output, o.checkpoint);
    write_checkpoint(o.output, checkpoint);

    spdlog::info("calibrated {} on {}", o.checkpoint, rows.description);
    std::printf("%-12s %10s %10s\n", "", "before", "after");
    std::printf("%-12s %10.6f %10.6f\n", "temperature", old_temperature, temperature);
    std::printf("%-12s %10.6f %10.6f\n", "log_loss", before.nll, after.nll);
    std::printf("%-12s %10.6f %10.6f\n", "ece", before.ece, after.ece);
    spdlog::info("wrote {}{}", o.output, in_place ? " (the checkpoint calibrated in place)" : "");
    return 0;
}

}  // namespace

void add_calibrate_command(CLI::App& app, Action& action) {
    auto options = std::make_shared<CalibrateOptions>();
    CLI::App* cmd = app.add_subcommand(
        "calibrate", "fit temperature scaling on labelled rows; write a calibrated checkpoint");
    cmd->add_option("CHECKPOINT", options->checkpoint, "a classifier's checkpoint file")
        ->required();
    cmd->add_option("--data", options->data,
                    "labelled CSV to fit the temperature on: rows the model did not train on, "
                    "e.g. a validation set")
        ->required();
    cmd->add_option("-o,--output", options->output,
                    "the calibrated checkpoint to write (replaced atomically; naming CHECKPOINT "
                    "itself calibrates it in place)")
        ->required();
    cmd->add_option("--device", options->device, "auto, cpu, cuda or cuda:N (default auto)");
    cmd->add_option("--threads", options->threads, "CPU threads, 0 = all cores");
    cmd->footer(
        "Temperature scaling (Guo et al. 2017): one number T > 0 that the logits are divided by\n"
        "before the sigmoid or softmax, chosen to minimise the log loss on --data. The\n"
        "predicted classes stay the same; the probabilities become less (T > 1) or more (T < 1)\n"
        "confident. The new checkpoint is the old one with T in its metadata (`calibration`);\n"
        "eval, predict and export apply it. A checkpoint calibrated before is fitted anew from\n"
        "its logits. Prints T, the log loss and the expected calibration error (ece) before\n"
        "and after. Regression checkpoints are refused (exit 2).\n\n"
        "Examples:\n"
        "  dlctl calibrate runs/x/checkpoints/best.safetensors --data val.csv -o "
        "calibrated.safetensors\n"
        "  dlctl eval --checkpoint calibrated.safetensors --data test.csv\n"
        "  dlctl export calibrated.safetensors -o model.onnx");
    cmd->callback([options, &action] { action = [options] { return run_calibrate(*options); }; });
}

}  // namespace dlctl::cli
