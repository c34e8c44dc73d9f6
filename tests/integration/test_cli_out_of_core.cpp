// Out-of-core training end to end: the in-memory result from scratch files, and the errors of a
// budget too small, a column whose type changes after the first window and what is not supported.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "integration/cli_runner.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// metrics.csv without its last column (the seconds an epoch took).
std::string metrics_without_seconds(const fs::path& run) {
    std::istringstream in(read_text(run / "metrics.csv"));
    std::string out, line;
    while (std::getline(in, line)) out += line.substr(0, line.rfind(',')) + "\n";
    return out;
}

std::string train_penguins(const TempDir& dir, const std::string& name, const std::string& sets) {
    return "train " + quote(source_file("configs/penguins.yaml")) +
           " --set train.epochs=8 --set train.shuffle=false --set data.cache_dir=" +
           quote(dir.path() / "cache") + " " + sets + " --run-dir " + quote(dir.path() / name);
}

}  // namespace

TEST_CASE("out of core, penguins train to the in-memory losses and data summary",
          "[cli][out_of_core]") {
    TempDir dir;
    const CliResult in = run_dlctl(train_penguins(dir, "in", "--set data.in_memory=true"));
    INFO(in.err);
    REQUIRE(in.exit_code == 0);
    const CliResult out = run_dlctl(
        train_penguins(dir, "out", "--set data.in_memory=false --set data.memory_budget=8MB"));
    INFO(out.err);
    REQUIRE(out.exit_code == 0);
    CHECK_THAT(out.err, Contains("data out of core within data.memory_budget 8.0 MB"));
    CHECK(metrics_without_seconds(dir.path() / "out") ==
          metrics_without_seconds(dir.path() / "in"));
    CHECK(read_text(dir.path() / "out/data_summary.json") ==
          read_text(dir.path() / "in/data_summary.json"));
    const json memory = json::parse(read_text(dir.path() / "out/summary.json"))["memory"];
    CHECK(memory["in_memory"] == false);
    CHECK(memory["budget_bytes"] == 8000000);
    CHECK(json::parse(read_text(dir.path() / "in/summary.json"))["memory"]["in_memory"] == true);
    CHECK(fs::is_empty(dir.path() / "cache/out-of-core"));  // the scratch files went with the run
}

TEST_CASE("out of core, a budget too small for the rows stops before the run directory",
          "[cli][out_of_core]") {
    TempDir dir;
    const CliResult r = run_dlctl(
        train_penguins(dir, "run", "--set data.in_memory=false --set data.memory_budget=1kB"));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("data.memory_budget 1.0 kB is too small for 344 rows"));
    CHECK_THAT(r.err, Contains("hint: raise data.memory_budget to 1.6 MB or more"));
    CHECK_FALSE(fs::exists(dir.path() / "run"));
}

TEST_CASE("out of core, a value that does not fit its column's type names its line",
          "[cli][out_of_core]") {
    TempDir dir;
    std::string text = "a,b,y\n";
    for (int r = 0; r < 40000; ++r)
        text += std::to_string(r % 977) + ",0.5," + std::to_string(r % 2) + "\n";
    text += "seven,0.5,1\n";
    const fs::path csv = dir.write("d.csv", text);
    const fs::path spec =
        dir.write("s.yaml", "data: {path: " + csv.string() +
                                ", target: y, in_memory: false, memory_budget: 4MB, cache: false}\n"
                                "model: {layers: [{type: dense, units: 1, activation: sigmoid}]}\n"
                                "train: {epochs: 1, loss: binary_crossentropy}\n");
    const CliResult r =
        run_dlctl("train " + quote(spec) + " --run-dir " + quote(dir.path() / "run"));
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Contains("d.csv:40002: column 'a' holds 'seven', which is not a number"));
    CHECK_THAT(r.err, Contains("data.columns"));
    // In memory the column is read as categories.
    const CliResult in = run_dlctl("validate " + quote(spec) + " --set data.in_memory=true");
    CHECK(in.exit_code == 0);
}

TEST_CASE("out of core refuses cross-validation; bad settings and an unwritable cache stop it",
          "[cli][out_of_core]") {
    TempDir dir;
    const CliResult cv = run_dlctl(train_penguins(
        dir, "cv",
        "--set data.in_memory=false --set train.cv.folds=3 --set data.memory_budget=8MB"));
    CHECK(cv.exit_code == 2);
    CHECK_THAT(cv.err, Contains("does not support train.cv"));
    const CliResult bad = run_dlctl(train_penguins(dir, "bad", "--set data.in_memory=maybe"));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("data.in_memory"));
    const CliResult budget = run_dlctl(train_penguins(dir, "bad", "--set data.memory_budget=lots"));
    CHECK(budget.exit_code == 2);
    CHECK_THAT(budget.err, Contains("data.memory_budget"));
    const CliResult reads = run_dlctl(train_penguins(dir, "bad", "--set data.rank_reads=all"));
    CHECK(reads.exit_code == 2);
    CHECK_THAT(reads.err, Contains("data.rank_reads"));
    const fs::path not_a_directory = dir.write("cache-file", "x");
    const CliResult scratch =
        run_dlctl("train " + quote(source_file("configs/penguins.yaml")) +
                  " --set data.in_memory=false --set data.memory_budget=8MB --set data.cache_dir=" +
                  quote(not_a_directory) + " --run-dir " + quote(dir.path() / "scratch"));
    CHECK(scratch.exit_code == 4);
    CHECK_THAT(scratch.err, Contains("cannot create the out-of-core scratch directory"));
    CHECK_THAT(scratch.err, Contains("point data.cache_dir"));
    CHECK_FALSE(fs::exists(dir.path() / "scratch"));
    const CliResult validate = run_dlctl(
        "validate " + quote(source_file("configs/penguins.yaml")) +
        " --set data.in_memory=false --set data.cache_dir=" + quote(dir.path() / "cache"));
    INFO(validate.err);
    CHECK(validate.exit_code == 0);
    CHECK_THAT(validate.out, Contains("in_memory: false"));
}
