// Bad input through the binary: one clear message on stderr, the documented exit code, and no
// good file overwritten.
#include <catch2/catch.hpp>

#include "integration/cli_runner.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr int kUsage = 2, kData = 3, kIo = 4, kDevice = 5, kDiverged = 6, kUnsupported = 7;

const char* const kSpec = R"(name: t
data: {path: data.csv, target: y}
model:
  layers:
    - {type: dense, units: 4, activation: relu}
    - {type: dense, units: 1, activation: sigmoid}
train:
  epochs: 2
  batch_size: 4
  loss: binary_crossentropy
)";

std::string good_csv() {
    std::string csv = "a,b,y\n";
    for (int i = 0; i < 40; ++i) {
        csv += std::to_string(i) + "," + std::to_string(i % 7) + "," + std::to_string(i % 2) + "\n";
    }
    return csv;
}

struct Project {
    TempDir dir;
    fs::path spec;
    explicit Project(const std::string& spec_text = kSpec, const std::string& csv = good_csv()) {
        spec = dir.write("spec.yaml", spec_text);
        dir.write("data.csv", csv);
    }
    CliResult train(const std::string& extra = "") const {
        return run_dlctl("train " + quote(spec) + " --run-dir " + quote(dir.path() / "run") + " " +
                         extra);
    }
};

void expect_failure(const CliResult& r, int code, const std::string& message) {
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == code);
    CHECK_THAT(r.err, Contains("dlctl: error: "));
    CHECK_THAT(r.err, Contains(message));
    CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("command-line mistakes exit 2", "[cli][errors]") {
    expect_failure(run_dlctl(""), kUsage, "A subcommand is required");
    expect_failure(run_dlctl("trian x.yaml"), kUsage,
                   "unknown subcommand 'trian' (did you mean 'train'?)");
    expect_failure(run_dlctl("train"), kUsage, "SPEC is required");
    expect_failure(run_dlctl("train x.yaml -q -v"), kUsage, "--quiet and --verbose");
    expect_failure(run_dlctl("train /nonexistent/spec.yaml"), kUsage,
                   "cannot open spec '/nonexistent/spec.yaml'");
}

TEST_CASE("spec errors exit 2 with file:line:col and key path", "[cli][errors]") {
    Project p(std::string(kSpec) + "  epochz: 3\n");
    expect_failure(p.train(), kUsage, "spec.yaml:11:3: train.epochz: unknown key 'epochz'");
    CHECK_FALSE(fs::exists(p.dir.path() / "run"));

    Project q;
    expect_failure(q.train("--set train.batch_size=0"), kUsage,
                   "--set train.batch_size=0: train.batch_size: must be a positive integer, got 0");
    expect_failure(q.train("--set model.layers.9.units=3"), kUsage, "is not an index");
    expect_failure(q.train("--device tpu"), kUsage, "invalid device 'tpu'");
    expect_failure(q.train("--threads -1"), kUsage,
                   "--threads -1: train.threads: must be an integer >= 0 (0: all cores), got -1");
    const auto corrupt = q.dir.write("w.safetensors", "not a weights file");
    expect_failure(q.train("--set model.init_from=" + quote(corrupt)), kIo,
                   "is not a valid safetensors file: header length");
    expect_failure(run_dlctl("validate " + quote(q.spec) + " --set train.loss=hinge"), kUsage,
                   "unknown loss 'hinge'");
}

TEST_CASE("data errors exit 3 naming file, line and column", "[cli][errors]") {
    auto with_data = [](const std::string& extra) {
        std::string spec = kSpec;
        const std::string flow = "target: y}";
        return spec.replace(spec.find(flow), flow.size(), "target: y, " + extra + "}");
    };
    expect_failure(Project(with_data("columns: {b: numeric}"), "a,b,y\n1,2,0\n3,x,1\n").train(),
                   kData, "data.csv:3: column 'b': 'x' is not a finite number");
    expect_failure(Project(kSpec, "a,b,y\n1,2,0\n3,inf,1\n").train(), kData,
                   "data.csv:3: column 'b': 'inf' is not a finite number");
    expect_failure(
        Project(with_data("missing: {numeric: error}"), "a,b,y\n1,2,0\n3,NA,1\n").train(), kData,
        "data.csv:3: column 'b': missing value");
    expect_failure(Project(kSpec, "a,b,y\n1,NA,0\n3,NA,1\n").train(), kData,
                   "column 'b' has no values in the training rows");
    expect_failure(Project(kSpec, "a,b,y\n1,2,no\n3,4,yes\n5,6,maybe\n").train(), kData,
                   "target 'y' has 3 distinct values ('maybe', 'no', 'yes'), but "
                   "binary_crossentropy needs exactly 2");
    expect_failure(Project(kSpec, "a,b,y\n1,2,0\n3,1\n").train(), kData,
                   "data.csv:3: found 2 fields, expected 3");
    expect_failure(Project(kSpec, "").train(), kData, "is empty");
    expect_failure(Project(kSpec, "a,b,target\n1,2,0\n").train(), kData,
                   "column 'y' (from data.target) not found");
    Project missing;
    fs::remove(missing.dir.path() / "data.csv");
    expect_failure(missing.train(), kData, "data.csv' does not exist");
    expect_failure(run_dlctl("validate " + quote(missing.spec)), kData, "does not exist");
    CHECK(run_dlctl("validate --skip-data " + quote(missing.spec)).exit_code == 0);
}

TEST_CASE("an existing run or file is never overwritten: exit 4", "[cli][errors]") {
    Project p;
    REQUIRE(p.train().exit_code == 0);
    const fs::path run = p.dir.path() / "run";
    const std::string metrics = read_text(run / "metrics.csv");
    const std::string log = read_text(run / "train.log");
    expect_failure(p.train("--set train.epochs=1"), kIo,
                   "run directory '" + run.string() + "' is not empty");
    CHECK(read_text(run / "metrics.csv") == metrics);
    CHECK(read_text(run / "train.log") == log);

    // --run-dir . in a directory with other files (here the spec and its data)
    const CliResult here = run_dlctl("train spec.yaml --run-dir .", p.dir.path());
    expect_failure(here, kIo, "is not empty");
    CHECK(fs::is_regular_file(p.dir.path() / "data.csv"));
}

TEST_CASE("an output directory that cannot be created exits 4", "[cli][errors]") {
    Project p;
    expect_failure(run_dlctl("train " + quote(p.spec) + " --run-dir " +
                             quote(p.dir.path() / "data.csv" / "run")),
                   kIo, "cannot create run directory");
}

TEST_CASE("a malformed spec file exits 2", "[cli][errors]") {
    Project p("name: [unclosed\n");
    expect_failure(p.train(), kUsage, "spec.yaml:2:1: YAML syntax error");
    expect_failure(run_dlctl("train " + quote(p.dir.path())), kUsage, "is a directory");
    expect_failure(p.train("--seed abc"), kUsage, "YAML syntax error");
    Project q;
    expect_failure(q.train("--seed abc"), kUsage, "--seed abc: seed: expected an integer");
}

TEST_CASE("an unavailable device exits 5", "[cli][errors]") {
    const CliResult r = Project().train("--device cuda:7");
    expect_failure(r, kDevice, "device 'cuda:7'");
}

TEST_CASE("a diverging run exits 6 and records why in summary.json", "[cli][errors]") {
    std::string csv = "a,b,y\n";
    for (int i = 0; i < 40; ++i) csv += std::to_string(i) + ",1," + std::to_string(i * 1e15) + "\n";
    Project p(R"(name: t
data: {path: data.csv, target: y, normalize: none}
model: {layers: [{type: dense, units: 1, activation: linear}]}
train: {epochs: 3, batch_size: 8, loss: mse, optimizer: {type: sgd, lr: 1000}}
)",
              csv);
    expect_failure(p.train(), kDiverged, "training diverged: loss is");
    const std::string summary = read_text(p.dir.path() / "run" / "summary.json");
    CHECK_THAT(summary, Contains("\"status\": \"failed\""));
    CHECK_THAT(summary, Contains("\"exit_code\": 6"));
}

TEST_CASE("missing or invalid subcommand arguments are usage errors", "[cli][errors]") {
    expect_failure(run_dlctl("eval"), kUsage, "--checkpoint is required");
    expect_failure(run_dlctl("eval --checkpoint x.safetensors"), kIo,
                   "cannot open safetensors file 'x.safetensors'");
    expect_failure(run_dlctl("train " + quote(Project().spec) + " --resume auto"), kUsage,
                   "--resume auto needs --run-dir");
    expect_failure(run_dlctl("eval --checkpoint x.safetensors --threshold 1.5"), kUsage,
                   "--threshold must be between 0 and 1, got 1.5");
    expect_failure(run_dlctl("predict rows.csv --checkpoint x.safetensors --top-k -1"), kUsage,
                   "--top-k must be >= 0");
}
