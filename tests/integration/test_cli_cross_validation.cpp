#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "integration/cli_runner.h"
#include "support/csv_cells.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// A 3-fold cross-validation of the penguins data, 3 epochs a fold.
CliResult train_folds(const fs::path& run, const std::string& extra = "") {
    return run_dlctl("train " + quote(source_file("data/penguins.csv")) +
                     " --target species -q --set train.cv.folds=3 --set train.epochs=3 "
                     "--run-dir " +
                     quote(run) + " " + extra);
}

json summary_of(const fs::path& run) { return json::parse(read_text(run / "summary.json")); }

std::string fold_checkpoints(const fs::path& run) {
    std::string flags;
    for (int fold = 1; fold <= 3; ++fold) {
        flags += " --checkpoint " +
                 quote(run / fmt::format("folds/fold-{}/checkpoints/best.safetensors", fold));
    }
    return flags;
}

}  // namespace

TEST_CASE("cross-validation trains a run per fold, scores them out of fold and saves one ensemble",
          "[cli][cv]") {
    TempDir dir;
    const fs::path run = dir.path() / "cv";
    const CliResult r = train_folds(run);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json summary = summary_of(run);
    CHECK(summary["status"] == "completed");
    const json& folds = summary["cv"]["per_fold"];
    REQUIRE(folds.size() == 3);

    // The folds split the 275 rows outside the test split (344 - 69); each validates on its
    // own fold and trains on the others, so its best model's validation accuracy weighs into
    // the out-of-fold accuracy by its rows.
    std::int64_t validated = 0;
    double correct = 0.0;
    for (int fold = 1; fold <= 3; ++fold) {
        const json& f = folds[fold - 1];
        CHECK(f["train_rows"].get<std::int64_t>() + f["validation_rows"].get<std::int64_t>() ==
              275);
        CHECK(f["best"]["restored"] == true);
        validated += f["validation_rows"].get<std::int64_t>();
        correct += f["validation"]["accuracy"].get<double>() * f["validation_rows"].get<double>();
        CHECK_THAT(read_text(run / fmt::format("folds/fold-{}/config.yaml", fold)),
                   Contains(fmt::format("cv: {{folds: 3, fold: {}}}", fold)));
    }
    CHECK(validated == 275);
    CHECK(summary["out_of_fold"]["rows"] == 275);
    CHECK(summary["out_of_fold"]["accuracy"].get<double>() == Approx(correct / 275));
    CHECK(summary["test"]["rows"] == 69);

    // The ensemble file stands for the three fold checkpoints in eval and predict.
    const std::string ensemble = quote(run / "checkpoints/ensemble.json");
    const CliResult e = run_dlctl("eval --checkpoint " + ensemble);
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    CHECK(e.out == run_dlctl("eval" + fold_checkpoints(run)).out);
    CHECK_THAT(e.out, Contains(fmt::format("accuracy             {:.6f}",
                                           summary["test"]["accuracy"].get<double>())));
    const std::string data = quote(source_file("data/penguins.csv"));
    const CliResult p = run_dlctl("predict " + data + " --checkpoint " + ensemble + " --spread");
    REQUIRE(p.exit_code == 0);
    CHECK(p.out == run_dlctl("predict " + data + fold_checkpoints(run) + " --spread").out);
    CHECK(csv_cells(p.out).size() == 345);

    // A moved run directory keeps working: the members are named relative to the file.
    fs::rename(run, dir.path() / "moved");
    CHECK(run_dlctl("eval --checkpoint " + quote(dir.path() / "moved/checkpoints/ensemble.json"))
              .out == e.out);
}

TEST_CASE("a cross-validation run continues fold by fold with --resume auto", "[cli][cv]") {
    TempDir dir;
    const fs::path run = dir.path() / "cv";
    REQUIRE(train_folds(run).exit_code == 0);
    const json first = summary_of(run);
    const std::string fold1_metrics = read_text(run / "folds/fold-1/metrics.csv");

    // As if killed during fold 3: its directory and the run's summary are gone.
    fs::remove_all(run / "folds/fold-3");
    fs::remove(run / "summary.json");
    const CliResult again = train_folds(run, "--resume auto");
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    const std::string log = read_text(run / "train.log");
    CHECK_THAT(log, Contains("fold 3/3"));
    const json second = summary_of(run);
    CHECK(second["status"] == "completed");
    CHECK(second["out_of_fold"] == first["out_of_fold"]);
    CHECK(second["test"] == first["test"]);
    CHECK(read_text(run / "folds/fold-1/metrics.csv") == fold1_metrics);

    // Completed folds are kept, so the spec must still deal and train them alike.
    const CliResult other_folds =
        run_dlctl("train " + quote(source_file("data/penguins.csv")) +
                  " --target species -q --set train.cv.folds=4 --set train.epochs=3 --run-dir " +
                  quote(run) + " --resume auto");
    CHECK(other_folds.exit_code == 2);
    CHECK_THAT(other_folds.err,
               Contains("cannot continue the cross-validation") && Contains("train.cv.folds: 3"));
    CHECK(summary_of(run) == second);  // nothing was touched

    const CliResult explicit_checkpoint =
        train_folds(dir.path() / "other",
                    "--resume " + quote(run / "folds/fold-1/checkpoints/last.safetensors"));
    CHECK(explicit_checkpoint.exit_code == 2);
    CHECK_THAT(explicit_checkpoint.err,
               Contains("continues fold by fold") && Contains("--resume auto"));
}

TEST_CASE("cross-validation refuses folds it cannot fill, before it creates the run",
          "[cli][cv][errors]") {
    TempDir dir;
    std::string csv = "x,y\n";
    for (int i = 0; i < 60; ++i) csv += fmt::format("{},{}\n", i, i % 2 == 0 ? "a" : "b");
    for (int i = 0; i < 4; ++i) csv += fmt::format("{},rare\n", 100 + i);
    const fs::path data = dir.write("rare.csv", csv);
    const fs::path run = dir.path() / "run";
    const CliResult rare = run_dlctl("train " + quote(data) +
                                     " --target y -q --set train.cv.folds=5 --set "
                                     "data.split.test=0 --run-dir " +
                                     quote(run));
    CHECK(rare.exit_code == 3);
    CHECK_THAT(rare.err, Contains("class 'rare' has 4 rows outside the test split") &&
                             Contains("train.cv.folds = 5") && Contains("lower train.cv.folds"));
    CHECK_FALSE(fs::exists(run));

    const CliResult one = run_dlctl("train " + quote(data) + " --target y --set train.cv.folds=1");
    CHECK(one.exit_code == 2);
    CHECK_THAT(one.err, Contains("train.cv.folds: must be an integer >= 2"));
    const CliResult with_file = run_dlctl("train " + quote(data) +
                                          " --target y --set train.cv.folds=3 --set "
                                          "data.validation_file=" +
                                          quote(data) + " --set data.split.validation=0");
    CHECK(with_file.exit_code == 2);
    CHECK_THAT(with_file.err, Contains("cannot use data.validation_file"));
    const CliResult bad_file =
        run_dlctl("eval --checkpoint " + quote(data.parent_path() / "x.json"));
    CHECK(bad_file.exit_code == 4);
    dir.write("x.json", "{\"format\": \"something else\"}");
    const CliResult other = run_dlctl("eval --checkpoint " + quote(dir.path() / "x.json"));
    CHECK(other.exit_code == 4);
    CHECK_THAT(other.err, Contains("is not a dlctl ensemble file"));
}
