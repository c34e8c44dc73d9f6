// End-to-end: train, validate and init without a spec, from a CSV and --target.
#include <catch2/catch.hpp>

#include "integration/cli_runner.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("train needs only a CSV and --target, the log says the task and why", "[cli][autospec]") {
    TempDir dir;
    const fs::path run = dir.path() / "penguins";
    const CliResult r = run_dlctl("train " + quote(source_file("data/penguins.csv")) +
                                  " --target species --set train.epochs=3 --run-dir " + quote(run));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Contains("task: multiclass (target 'species' holds 3 distinct text values "
                               "(Adelie, Chinstrap, Gentoo))"));
    CHECK_THAT(r.err, Contains("preset 'mlp-plr'"));
    const std::string config = read_text(run / "config.yaml");
    CHECK_THAT(config, Contains("task: multiclass"));
    CHECK_THAT(config, Contains("units: 3, activation: softmax"));
    CHECK_THAT(config, Contains("loss: categorical_crossentropy"));
    // The resolved spec repeats the run.
    const CliResult again = run_dlctl("train " + quote(run / "config.yaml") + " -q --run-dir " +
                                      quote(dir.path() / "again"));
    CHECK(again.exit_code == 0);

    const CliResult regression =
        run_dlctl("train " + quote(source_file("data/diabetes.csv")) +
                  " --target progression --preset fast --set train.epochs=2 -q --run-dir " +
                  quote(dir.path() / "diabetes"));
    INFO(regression.err);
    CHECK(regression.exit_code == 0);
    CHECK_THAT(read_text(dir.path() / "diabetes/config.yaml"), Contains("loss: mse"));
}

TEST_CASE("a spec with only data trains from a preset, --test-file replaces the test split",
          "[cli][autospec]") {
    TempDir dir;
    const fs::path spec =
        dir.write("wine.yaml", "data: {path: " + source_file("data/wine.csv").string() +
                                   ", target: cultivar}\ntrain: {epochs: 2}\n");
    const CliResult r =
        run_dlctl("train " + quote(spec) + " -q --test-file " +
                  quote(source_file("data/wine.csv")) + " --run-dir " + quote(dir.path() / "run"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string config = read_text(dir.path() / "run/config.yaml");
    CHECK_THAT(config, Contains("epochs: 2"));  // the spec's own setting wins
    CHECK_THAT(config, Contains("test_file: " + source_file("data/wine.csv").string()));
    CHECK_THAT(config, Contains("split: {test: 0,"));
}

TEST_CASE("a preset stops early on a validation file too", "[cli][autospec]") {
    TempDir dir;
    const std::string wine = source_file("data/wine.csv").string();
    const CliResult r = run_dlctl("train " + quote(wine) + " --target cultivar -q --set " +
                                  "data.validation_file=" + quote(wine) +
                                  " --set train.epochs=2 --run-dir " + quote(dir.path() / "run"));
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(read_text(dir.path() / "run/config.yaml"),
               Contains("split: {test: 0.2, validation: 0,"));
}

TEST_CASE("train --time-limit ends training on an epoch boundary, outputs written",
          "[cli][autospec]") {
    TempDir dir;
    const fs::path run = dir.path() / "run";
    const CliResult r = run_dlctl("train " + quote(source_file("data/penguins.csv")) +
                                  " --target species --set train.epochs=1000000 --set "
                                  "train.early_stopping.enabled=false --time-limit 0.5 --run-dir " +
                                  quote(run));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Contains("time limit: stopped after"));
    const std::string summary = read_text(run / "summary.json");
    CHECK_THAT(summary, Contains("\"stop_reason\": \"time_limit\""));
    CHECK_THAT(summary, Contains("\"status\": \"completed\""));
    CHECK_THAT(read_text(run / "config.yaml"), Contains("time_limit: 0.5"));
    CHECK(fs::exists(run / "model.safetensors"));
    const CliResult bad = run_dlctl("validate " + quote(source_file("configs/wine.yaml")) +
                                    " --skip-data --set train.time_limit=-1");
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("train.time_limit: must be a number of seconds >= 0"));
}

TEST_CASE("init writes a commented spec that trains", "[cli][autospec]") {
    TempDir dir;
    const fs::path spec = dir.path() / "bc.yaml";
    const CliResult r = run_dlctl("init " + quote(source_file("data/breast_cancer.csv")) +
                                  " --target target -o " + quote(spec));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string text = read_text(spec);
    CHECK_THAT(text, Contains("# A dlctl experiment spec, written by dlctl init"));
    CHECK_THAT(text, Contains("task: binary"));
    const CliResult trained = run_dlctl("train " + quote(spec) + " --set train.epochs=1 " +
                                        "--run-dir " + quote(dir.path() / "run"));
    CHECK(trained.exit_code == 0);
    // breast_cancer.csv's id column is a row id: left out, said, and in data_summary.json.
    CHECK_THAT(trained.err, Contains("column 'id' looks like a row id"));
    CHECK_THAT(read_text(dir.path() / "run/data_summary.json"),
               Contains("\"reason\": \"a row id\""));
    CHECK(run_dlctl("init " + quote(source_file("data/breast_cancer.csv")) + " --target target")
              .out.starts_with("# A dlctl experiment spec"));
}

TEST_CASE("without a spec, bad input is a clear error", "[cli][autospec][errors]") {
    TempDir dir;
    const std::string penguins = quote(source_file("data/penguins.csv"));
    const CliResult no_target = run_dlctl("train " + penguins);
    CHECK(no_target.exit_code == 2);
    CHECK_THAT(no_target.err, Contains("add --target COLUMN"));
    const CliResult missing = run_dlctl("train " + penguins + " --target specie");
    CHECK(missing.exit_code == 3);
    CHECK_THAT(missing.err,
               Contains("column 'specie' (from data.target) not found (did you mean 'species'?)"));
    const fs::path ambiguous = dir.write("a.csv", "x,y\n1,0.5\n2,1.5\n3,2.5\n4,0.5\n");
    const CliResult guess = run_dlctl("train " + quote(ambiguous) + " --target y");
    CHECK(guess.exit_code == 3);
    CHECK_THAT(guess.err, Contains("are they classes or amounts? Say which: --set "
                                   "data.task=multiclass or --set data.task=regression"));
    const CliResult told = run_dlctl("validate " + quote(ambiguous) +
                                     " --target y --set data.task=regression --skip-data");
    CHECK(told.exit_code == 0);
    const CliResult preset = run_dlctl("train " + penguins + " --target species --preset mpl");
    CHECK(preset.exit_code == 2);
    CHECK_THAT(preset.err, Contains("unknown preset 'mpl' (did you mean 'mlp'?)"));
    const CliResult both =
        run_dlctl("train " + quote(source_file("configs/wine.yaml")) + " --preset fast");
    CHECK(both.exit_code == 2);
    CHECK_THAT(both.err, Contains("has a model section"));
    CHECK_FALSE(fs::exists(dir.path() / "runs"));
}
