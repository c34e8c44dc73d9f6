// End-to-end: dlctl report ranks the runs of a sweep.
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
    CHECK(run_dlctl("report " + quote(sweep) + " --plot s.svg").exit_code == 7);
    CHECK(run_dlctl("report " + quote(dir.path() / "nothing")).exit_code == 2);  // no such dir
    fs::create_directories(dir.path() / "empty");
    const CliResult empty = run_dlctl("report " + quote(dir.path() / "empty"));
    CHECK(empty.exit_code == 2);
    CHECK_THAT(empty.err, Contains("no run directories"));
}
