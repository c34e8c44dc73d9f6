// End-to-end: the dlctl binary trains the bundled examples and writes its run directory.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>

#include "dlctl/core/build_info.h"
#include "integration/cli_runner.h"
#include "support/csv_cells.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

TEST_CASE("train runs the bundled classification example end to end", "[cli][e2e]") {
    TempDir dir;
    const fs::path run = dir.path() / "run";
    const CliResult r = run_dlctl("train " + quote(source_file("configs/breast_cancer.yaml")) +
                                  " --set train.epochs=5 --run-dir " + quote(run));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.last_line() == run.string());
    CHECK(r.out == run.string() + "\n");  // stdout carries only the result
    CHECK_THAT(r.err, Contains("epoch 5/5"));

    for (const char* file : {"config.yaml", "train.log", "metrics.csv", "summary.json",
                             "data_summary.json", "model.safetensors"}) {
        INFO(file);
        CHECK(fs::is_regular_file(run / file));
    }
    const auto rows = csv_cells(read_text(run / "metrics.csv"));
    REQUIRE(rows.size() == 6);
    CHECK(rows[0] == std::vector<std::string>{"epoch", "lr", "loss", "accuracy", "precision",
                                              "recall", "f1", "val_loss", "val_accuracy",
                                              "val_precision", "val_recall", "val_f1", "seconds"});
    CHECK(rows[1][0] == "1");
    CHECK(rows[5][0] == "5");
    CHECK(std::stod(rows[5][2]) < std::stod(rows[1][2]));  // the training loss fell

    const std::string summary = read_text(run / "summary.json");
    CHECK_THAT(summary, Contains("\"status\": \"completed\""));
    CHECK_THAT(summary, Contains("\"test\": {"));
    CHECK_THAT(summary, Contains("\"accuracy\":"));
    CHECK_THAT(summary, Contains("\"epochs_run\": 5"));
    CHECK_THAT(read_text(run / "train.log"), Contains("epoch 5/5"));
    const std::string data_summary = read_text(run / "data_summary.json");
    CHECK_THAT(data_summary, Contains("\"rows_read\": 569"));
    CHECK_THAT(data_summary, Contains("\"class_counts\": {"));

    // The saved config is the resolved spec: it validates and trains as it is.
    const CliResult again = run_dlctl("validate --skip-data " + quote(run / "config.yaml"));
    CHECK(again.exit_code == 0);
    CHECK(again.out == read_text(run / "config.yaml"));
    CHECK_THAT(again.out, Contains("epochs: 5"));
}

TEST_CASE("train runs the bundled regression example", "[cli][e2e]") {
    TempDir dir;
    const fs::path run = dir.path() / "reg";
    const CliResult r = run_dlctl("-q train " + quote(source_file("configs/diabetes.yaml")) +
                                  " --set train.epochs=20 --run-dir " + quote(run));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());  // -q: no info lines
    const auto rows = csv_cells(read_text(run / "metrics.csv"));
    CHECK(rows[0] == std::vector<std::string>{"epoch", "lr", "loss", "rmse", "mae", "r2",
                                              "val_loss", "val_rmse", "val_mae", "val_r2",
                                              "seconds"});
    CHECK(std::stod(rows[20][2]) < std::stod(rows[1][2]));
    CHECK_THAT(read_text(run / "summary.json"), Contains("\"r2\":"));
}

TEST_CASE("the same seed reproduces metrics.csv and --seed changes it", "[cli][e2e]") {
    TempDir dir;
    const std::string spec = quote(source_file("configs/breast_cancer.yaml"));
    auto train = [&](const std::string& name, const std::string& extra) {
        const CliResult r = run_dlctl("-q train " + spec + " --set train.epochs=3 " + extra +
                                      " --run-dir " + quote(dir.path() / name));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        return without_seconds(dir.path() / name / "metrics.csv");
    };
    const std::string a = train("a", "");
    CHECK(train("b", "") == a);
    CHECK(train("c", "--seed 1234") != a);
    // Two threads on passes large enough to be split between them (256 units × ~400 rows).
    const std::string wide =
        "--set train.threads=2 --set train.batch_size=512 --set model.layers.0.units=256";
    const std::string d = train("d", wide);
    CHECK(train("e", wide) == d);
}

TEST_CASE("without --run-dir a timestamped run directory is made under output.dir", "[cli][e2e]") {
    TempDir dir;
    const CliResult r = run_dlctl("-q train " + quote(source_file("configs/breast_cancer.yaml")) +
                                      " --set train.epochs=1 --device cpu",
                                  dir.path());
    REQUIRE(r.exit_code == 0);
    const fs::path run = r.last_line();
    CHECK(run.parent_path() == dir.path() / "runs" / "breast-cancer-mlp");
    CHECK(fs::is_regular_file(run / "summary.json"));
    CHECK_THAT(read_text(run / "config.yaml"), Contains("device: cpu"));
}

TEST_CASE("validate prints the resolved spec and checks the data", "[cli]") {
    const CliResult r = run_dlctl("validate " + quote(source_file("configs/breast_cancer.yaml")) +
                                  " --set model.layers.0.units=16");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, StartsWith("name: breast-cancer-mlp\n"));
    CHECK_THAT(r.out, Contains("{type: dense, units: 16, activation: relu, use_bias: true, init: "
                               "he_normal}"));
    CHECK_THAT(r.err, Contains("569 rows x 32 columns"));
    CHECK_THAT(
        r.err,
        Contains("30 feature columns -> 30 model inputs (normalize: standard), target 'target'"));
    CHECK_THAT(r.err, Contains("classes per split: train ["));
}

TEST_CASE("dlctl --version and every --help work and exit 0", "[cli]") {
    const CliResult v = run_dlctl("--version");
    CHECK(v.exit_code == 0);
    CHECK_THAT(v.out, StartsWith("dlctl 0.1.0 (commit "));
    CHECK_THAT(v.out, Contains("CUDA o"));
    for (const char* cmd : {"", "train", "validate", "init", "eval", "calibrate", "predict",
                            "inspect", "devices", "report"}) {
        INFO(cmd);
        const CliResult h = run_dlctl(std::string(cmd) + " --help");
        CHECK(h.exit_code == 0);
        CHECK_THAT(h.out, Contains("Example"));
    }
}

TEST_CASE("devices lists the CPU and says why there is no GPU", "[cli]") {
    const CliResult r = run_dlctl("devices");
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, StartsWith("cpu\tavailable\tOpenBLAS "));
    // With the kernels named, no advice to name them.
    setenv("OPENBLAS_CORETYPE", "Haswell", 1);
    const CliResult forced = run_dlctl("devices");
    unsetenv("OPENBLAS_CORETYPE");
    CHECK_THAT(forced.out, !Contains("OPENBLAS_CORETYPE"));
}

TEST_CASE("train.log keeps the info lines under -q", "[cli][e2e]") {
    TempDir dir;
    const CliResult r = run_dlctl("-q train " + quote(source_file("configs/breast_cancer.yaml")) +
                                  " --set train.epochs=2 --run-dir " + quote(dir.path() / "r"));
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    const std::string log = read_text(dir.path() / "r" / "train.log");
    CHECK_THAT(log, Contains("[info] epoch 2/2"));
    CHECK_THAT(log, Contains("[info] test: loss"));
}

TEST_CASE("without a validation split metrics.csv has no val_ columns", "[cli][e2e]") {
    TempDir dir;
    const CliResult r = run_dlctl("-q train " + quote(source_file("configs/breast_cancer.yaml")) +
                                  " --set train.epochs=2 --set data.split.validation=0 "
                                  "--set train.metrics=[accuracy] --run-dir " +
                                  quote(dir.path() / "r"));
    REQUIRE(r.exit_code == 0);
    CHECK(csv_cells(read_text(dir.path() / "r" / "metrics.csv"))[0] ==
          std::vector<std::string>{"epoch", "lr", "loss", "accuracy", "seconds"});
    const std::string summary = read_text(dir.path() / "r" / "summary.json");
    CHECK_THAT(summary, !Contains("\"validation\": {"));
    CHECK_THAT(summary, Contains("\"validation_rows\": 0"));
}

TEST_CASE("a batch larger than the data trains as one full batch", "[cli][e2e]") {
    TempDir dir;
    const CliResult r = run_dlctl("-q train " + quote(source_file("configs/breast_cancer.yaml")) +
                                  " --set train.epochs=2 --set train.batch_size=2000000000 "
                                  "--device cpu --run-dir " +
                                  quote(dir.path() / "r"));
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(read_text(dir.path() / "r" / "summary.json"), Contains("\"device\": \"cpu\""));
}

TEST_CASE("the multiclass example trains with early stopping and reports a confusion matrix",
          "[cli][e2e]") {
    TempDir dir;
    const CliResult r =
        run_dlctl("train " + quote(source_file("configs/wine.yaml")) +
                  " --set train.early_stopping.patience=3 --run-dir " + quote(dir.path() / "w"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string summary = read_text(dir.path() / "w" / "summary.json");
    CHECK_THAT(summary, Contains("\"stop_reason\": \"early_stopping\""));
    CHECK_THAT(summary, Contains("\"restored\": true"));
    CHECK_THAT(summary, Contains("\"confusion_matrix\": ["));
    CHECK_THAT(summary, Contains("\"f1_macro\":"));
    CHECK_THAT(r.err, Contains("restored the weights of epoch"));
    const auto header = csv_cells(read_text(dir.path() / "w" / "metrics.csv"))[0];
    CHECK(header[1] == "lr");
    CHECK(header.back() == "seconds");
}

TEST_CASE("Ctrl-C stops training cleanly, writes the outputs and exits 130", "[cli][e2e]") {
    TempDir dir;
    const fs::path run = dir.path() / "i";
    // SIGINT after 1.5 s to a run that would take minutes.
    const int status = std::system(
        ("timeout --foreground --preserve-status -s INT 1.5 " + quote(DLCTL_BINARY) + " -q train " +
         quote(source_file("configs/breast_cancer.yaml")) +
         " --set train.epochs=1000000 --device cpu --run-dir " + quote(run) + " >/dev/null 2>&1")
            .c_str());
    CHECK(WEXITSTATUS(status) == 130);
    const std::string summary = read_text(run / "summary.json");
    CHECK_THAT(summary, Contains("\"status\": \"interrupted\""));
    CHECK_THAT(summary, Contains("\"test\": {"));
    CHECK(csv_cells(read_text(run / "metrics.csv")).size() > 2);
}

TEST_CASE("a run exports its weights and another run starts from them", "[cli][e2e]") {
    TempDir dir;
    const std::string spec = quote(source_file("configs/breast_cancer.yaml"));
    REQUIRE(
        run_dlctl("-q train " + spec + " --set train.epochs=2 --run-dir " + quote(dir.path() / "a"))
            .exit_code == 0);
    const fs::path weights = dir.path() / "a" / "model.safetensors";
    REQUIRE(fs::is_regular_file(weights));
    // Starting from trained weights, a zero learning rate keeps the test accuracy exactly.
    const CliResult b = run_dlctl("-q train " + spec +
                                  " --set train.epochs=1 --set "
                                  "train.optimizer.lr=1e-30 --set model.init_from=" +
                                  quote(weights) + " --run-dir " + quote(dir.path() / "b"));
    REQUIRE(b.exit_code == 0);
    auto test_accuracy = [](const fs::path& summary) {
        const std::string text = read_text(summary);
        const auto at = text.find("\"accuracy\"", text.find("\"test\""));
        return text.substr(at, text.find('\n', at) - at);
    };
    CHECK(test_accuracy(dir.path() / "a" / "summary.json") ==
          test_accuracy(dir.path() / "b" / "summary.json"));

    const CliResult mismatch =
        run_dlctl("-q train " + spec + " --set model.layers.0.units=8 --set model.init_from=" +
                  quote(weights) + " --run-dir " + quote(dir.path() / "c"));
    CHECK(mismatch.exit_code == 4);
    CHECK_THAT(mismatch.err, Contains("do not fit the model"));
    CHECK_FALSE(fs::exists(dir.path() / "c"));
    const CliResult absent = run_dlctl("-q train " + spec + " --set model.init_from=nowhere.st" +
                                       " --run-dir " + quote(dir.path() / "d"));
    CHECK(absent.exit_code == 4);
    CHECK_THAT(absent.err, Contains("cannot open"));
}

TEST_CASE("a test file replaces the test fraction end to end", "[cli][e2e]") {
    TempDir dir;
    const CliResult r =
        run_dlctl("-q train " + quote(source_file("configs/breast_cancer.yaml")) +
                  " --set train.epochs=1 --set 'data.split={validation: 0.1}'" +
                  " --set data.test_file=" + quote(source_file("data/breast_cancer.csv")) +
                  " --run-dir " + quote(dir.path() / "t"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string summary = read_text(dir.path() / "t" / "summary.json");
    CHECK_THAT(summary, Contains("\"test_rows\": 569"));
    CHECK_THAT(summary, Contains("\"train_rows\": 512"));
}

TEST_CASE(
    "train said to be one of several ranks, with no MPI world of that size, refuses before it "
    "writes anything",
    "[cli]") {
    TempDir dir;
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    const CliResult r = run_dlctl("train " + quote(source_file("configs/breast_cancer.yaml")) +
                                  " --run-dir " + quote(dir.path() / "r"));
    unsetenv("OMPI_COMM_WORLD_SIZE");
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("one of 2 ranks (OMPI_COMM_WORLD_SIZE=2)") &&
                          Contains(dlctl::build_info().mpi ? "but MPI sees 1 rank" : "has no MPI"));
    CHECK_FALSE(fs::exists(dir.path() / "r"));
}
