// End-to-end: dlctl report ranks the runs of a sweep.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "integration/cli_runner.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// The advisory lock a running dlctl train holds on its train.log, held by this process.
class HeldLock {
  public:
    explicit HeldLock(const fs::path& log) : fd_(::open(log.c_str(), O_RDONLY | O_CLOEXEC)) {
        REQUIRE(fd_ >= 0);
        REQUIRE(::flock(fd_, LOCK_EX | LOCK_NB) == 0);
    }
    HeldLock(const HeldLock&) = delete;
    HeldLock& operator=(const HeldLock&) = delete;
    ~HeldLock() { ::close(fd_); }

  private:
    int fd_;
};

}  // namespace

TEST_CASE("report ranks a sweep's runs with the settings that differ", "[cli][report]") {
    TempDir dir;
    const fs::path sweep = dir.path() / "sweep";
    for (const char* lr : {"0.05", "0.0001"}) {
        const CliResult r = run_dlctl("train " + quote(source_file("configs/breast_cancer.yaml")) +
                                      " -q --set train.epochs=4 --set train.optimizer.lr=" + lr +
                                      " --run-dir " + quote(sweep / (std::string("lr") + lr)));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
    }
    // A run that failed and one still running (no summary.json yet).
    fs::create_directories(sweep / "broken");
    fs::copy_file(sweep / "lr0.05/config.yaml", sweep / "broken/config.yaml");
    dir.write("sweep/broken/summary.json", R"({"status": "failed", "exit_code": 6})");
    fs::create_directories(sweep / "busy");
    fs::copy_file(sweep / "lr0.05/config.yaml", sweep / "busy/config.yaml");
    const HeldLock busy(dir.write("sweep/busy/train.log", ""));  // as a running train holds it

    const CliResult csv = run_dlctl("report " + quote(sweep) + " --format csv");
    INFO(csv.err);
    REQUIRE(csv.exit_code == 0);
    std::istringstream lines(csv.out);
    std::string header, first, second, third, fourth;
    std::getline(lines, header);
    std::getline(lines, first);
    std::getline(lines, second);
    std::getline(lines, third);
    std::getline(lines, fourth);
    CHECK(header == "rank,run,status,val_loss,epochs,seconds,train.optimizer.lr");
    CHECK_THAT(first, Contains("lr0.05,completed"));  // the larger lr learns more in 4 epochs
    CHECK_THAT(second, Contains("lr0.0001,completed"));
    CHECK_THAT(third + fourth, Contains("broken,failed"));
    CHECK_THAT(third + fourth, Contains("busy,running"));

    const CliResult j =
        run_dlctl("report " + quote(sweep) + " --format json --metric val_accuracy");
    REQUIRE(j.exit_code == 0);
    const json board = json::parse(j.out);
    CHECK(board["mode"] == "max");
    CHECK(board["varied"] == json({"train.optimizer.lr"}));
    CHECK(board["runs"][0]["value"].get<double>() >= board["runs"][1]["value"].get<double>());

    CHECK_THAT(run_dlctl("report " + quote(sweep) + " --format markdown").out,
               StartsWith("| rank | run | status | val_loss |"));
    const fs::path plot = dir.path() / "sweep.svg";
    const CliResult plotted = run_dlctl("report " + quote(sweep) + " --plot " + quote(plot));
    INFO(plotted.err);
    CHECK(plotted.exit_code == 0);
    CHECK_THAT(plotted.out, StartsWith("rank  run"));  // the leaderboard is still printed
    CHECK_THAT(read_text(plot), Contains(">train.optimizer.lr</text>"));
    CHECK_THAT(read_text(plot), Contains("2 runs without val_loss not shown"));
    const CliResult unwritable =
        run_dlctl("report " + quote(sweep) + " --plot " + quote(dir.path() / "no/such/dir.svg"));
    CHECK(unwritable.exit_code == 4);
    CHECK_THAT(unwritable.err, Contains("cannot create") && Contains("no/such/dir.svg"));
    CHECK(run_dlctl("report " + quote(dir.path() / "nothing")).exit_code == 2);  // no such dir
    fs::create_directories(dir.path() / "empty");
    const CliResult empty = run_dlctl("report " + quote(dir.path() / "empty"));
    CHECK(empty.exit_code == 2);
    CHECK_THAT(empty.err, Contains("no run directories"));
}

TEST_CASE("report tells running runs from killed ones, and lists broken ones with a warning",
          "[cli][report]") {
    TempDir dir;
    const fs::path runs = dir.path() / "runs";
    const CliResult r = run_dlctl("train " + quote(source_file("configs/breast_cancer.yaml")) +
                                  " -q --set train.epochs=2 --run-dir " + quote(runs / "good"));
    REQUIRE(r.exit_code == 0);
    const std::string config = read_text(runs / "good/config.yaml");
    dir.write("runs/killed/config.yaml", config);  // no summary.json, nobody holds train.log
    dir.write("runs/killed/train.log", "");
    dir.write("runs/corrupt/config.yaml", config);
    dir.write("runs/corrupt/summary.json", R"({"status": "completed", "test": {)");
    dir.write("runs/array/config.yaml", config);
    dir.write("runs/array/summary.json", "[1, 2]");
    dir.write("runs/odd/config.yaml", config);
    dir.write("runs/odd/summary.json", R"({"status": 5, "epochs_run": "x", "timings": 1})");
    dir.write("runs/noconfig/config.yaml", "data: {path: [unclosed\n");
    fs::copy_file(runs / "good/summary.json", runs / "noconfig/summary.json");
    // Resumed in place: an old summary, and a train holding the directory again.
    dir.write("runs/resumed/config.yaml", config);
    dir.write("runs/resumed/summary.json", R"({"status": "interrupted"})");
    const HeldLock resumed(dir.write("runs/resumed/train.log", ""));

    const CliResult report = run_dlctl("report " + quote(runs) + " --format csv");
    INFO(report.err);
    REQUIRE(report.exit_code == 0);
    CHECK_THAT(report.out, Contains("good,completed"));
    CHECK_THAT(report.out, Contains("killed,incomplete"));
    CHECK_THAT(report.out, Contains("corrupt,unreadable"));
    CHECK_THAT(report.out, Contains("array,unreadable"));
    CHECK_THAT(report.out, Contains("odd,unknown"));
    CHECK_THAT(report.out, Contains("noconfig,completed"));
    CHECK_THAT(report.out, Contains("resumed,running"));
    CHECK_THAT(report.err, Contains("corrupt/summary.json: ") && Contains("listed as unreadable"));
    CHECK_THAT(report.err,
               Contains("noconfig/config.yaml:2:1: ") && Contains("listed without its settings"));
}

TEST_CASE("train draws curves.svg and confusion.svg, eval --plot draws diagnostics",
          "[cli][report]") {
    TempDir dir;
    const fs::path run = dir.path() / "run";
    const CliResult trained =
        run_dlctl("train " + quote(source_file("configs/breast_cancer.yaml")) +
                  " -q --set train.epochs=3 --run-dir " + quote(run));
    INFO(trained.err);
    REQUIRE(trained.exit_code == 0);
    const std::string curves = read_text(run / "curves.svg");
    CHECK_THAT(curves, Contains("breast-cancer-mlp: training curves"));
    CHECK_THAT(curves, Contains("run - 3 epochs - completed"));
    CHECK_THAT(curves, Contains(">f1</text>"));
    CHECK_THAT(read_text(run / "confusion.svg"), Contains("confusion matrix, test split"));

    const fs::path roc = dir.path() / "roc.svg";
    const CliResult evaluated =
        run_dlctl("eval --checkpoint " + quote(run / "checkpoints/last.safetensors") + " --plot " +
                  quote(roc));
    INFO(evaluated.err);
    REQUIRE(evaluated.exit_code == 0);
    CHECK_THAT(read_text(roc), Contains(">ROC curve</text>"));
    CHECK_THAT(read_text(roc), Contains("positive class: 1"));
    const CliResult unwritable =
        run_dlctl("eval --checkpoint " + quote(run / "checkpoints/last.safetensors") + " --plot " +
                  quote(dir.path() / "no/such/roc.svg"));
    CHECK(unwritable.exit_code == 4);
    CHECK_THAT(unwritable.err, Contains("cannot create") && Contains("no/such/roc.svg"));

    // A regression run has curves but no confusion matrix.
    const fs::path regression = dir.path() / "regression";
    REQUIRE(run_dlctl("train " + quote(source_file("configs/diabetes.yaml")) +
                      " -q --set train.epochs=2 --run-dir " + quote(regression))
                .exit_code == 0);
    CHECK(fs::exists(regression / "curves.svg"));
    CHECK_FALSE(fs::exists(regression / "confusion.svg"));
}
