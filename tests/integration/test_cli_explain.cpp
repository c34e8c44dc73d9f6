#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "integration/cli_runner.h"
#include "integration/run_checks.h"
#include "support/csv_cells.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// A classifier of the bundled penguins, trained briefly into `dir`/run; its checkpoint, quoted.
std::string penguins_checkpoint(const TempDir& dir) {
    return quote(train_penguins(dir.path() / "run", "--target species", 8) /
                 "checkpoints/best.safetensors");
}

/// The penguins' columns but the target.
std::set<std::string> penguin_inputs() {
    const auto cells = csv_cells(read_text(source_file("data/penguins.csv")));
    std::set<std::string> out(cells.front().begin(), cells.front().end());
    out.erase("species");
    return out;
}

void check_importance_json(const json& j, const std::set<std::string>& inputs) {
    CHECK(j["checkpoint"].get<std::string>().ends_with("best.safetensors"));
    CHECK_THAT(j["data"].get<std::string>(), Contains("penguins.csv"));
    CHECK(j["rows"].get<int>() > 300);
    CHECK(j["metric"] == "accuracy");
    CHECK(j["direction"] == "higher is better");
    CHECK(j["baseline_score"].get<double>() > 0.5);
    CHECK(j["repeats"] == 3);
    CHECK(j["seed"] == 0);
    std::set<std::string> names;
    double previous = 1e9;
    for (const json& c : j["columns"]) {
        names.insert(c["name"].get<std::string>());
        CHECK(c["scores"].size() == 3);
        CHECK(c["std"].get<double>() >= 0.0);
        CHECK(c["mean"].get<double>() <= previous);  // most important first
        previous = c["mean"].get<double>();
    }
    CHECK(names == inputs);
    // The columns that tell the species apart matter; at least one clearly.
    CHECK(j["columns"][0]["mean"].get<double>() > 0.05);
}

void check_attributions_json(const json& a, const std::set<std::string>& inputs) {
    CHECK_THAT(a["method"].get<std::string>(), Contains("exact Shapley values"));
    CHECK(a["baseline"].size() == inputs.size());
    REQUIRE(a["rows"].size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        const json& r = a["rows"][i];
        CHECK(r["row"] == i + 1);
        CHECK(r["line"] == i + 2);
        CHECK_THAT(r["output"].get<std::string>(), Contains("P(species="));
        CHECK(r["prediction"].get<double>() >= 0.0);
        CHECK(r["prediction"].get<double>() <= 1.0);
        CHECK(r["attributions"].size() == inputs.size());
        const json& check = r["sum_check"];
        CHECK(check["attribution_sum"].get<double>() ==
              Approx(r["prediction"].get<double>() - r["baseline_prediction"].get<double>())
                  .margin(1e-5));
        CHECK(std::abs(check["residual"].get<double>()) < 1e-5);
    }
}

}  // namespace

TEST_CASE("explain ranks every input column, writes its JSON and plot, and attributes rows",
          "[cli][explain]") {
    TempDir dir;
    const std::string ckpt = penguins_checkpoint(dir);
    const std::string penguins = quote(source_file("data/penguins.csv"));
    const fs::path out = dir.path() / "importance.json", svg = dir.path() / "importance.svg";
    const std::string args = "explain " + ckpt + " --data " + penguins +
                             " --repeats 3 --rows 2 --threads 1 --output " + quote(out) +
                             " --plot " + quote(svg);
    const CliResult r = run_dlctl(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::set<std::string> inputs = penguin_inputs();
    for (const auto& name : inputs) CHECK_THAT(r.out, Contains("\n" + name + " "));
    CHECK_THAT(r.out, Contains("metric accuracy (higher is better)") &&
                          Contains("attributions: exact Shapley values") &&
                          Contains("row 2 (line 3)"));
    const json j = json::parse(read_text(out));
    check_importance_json(j, inputs);
    check_attributions_json(j["attributions"], inputs);
    const std::string plot = read_text(svg);
    CHECK(plot.starts_with("<?xml"));
    CHECK_THAT(plot, Contains("<svg") && Contains("permutation importance"));
    // The same seed gives the same numbers.
    const CliResult again = run_dlctl(args);
    REQUIRE(again.exit_code == 0);
    CHECK(again.out == r.out);
}

TEST_CASE("explain on a file without the target fails naming it, leaving outputs alone",
          "[cli][explain]") {
    TempDir dir;
    const std::string ckpt = penguins_checkpoint(dir);
    const fs::path unlabelled =
        dir.write("unlabelled.csv",
                  "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n"
                  "Torgersen,39.1,18.7,181,3750,male,2007\n");
    const fs::path out = dir.write("importance.json", "old\n");
    const CliResult r =
        run_dlctl("explain " + ckpt + " --data " + quote(unlabelled) + " --output " + quote(out));
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Contains("unlabelled.csv") && Contains("'species'") &&
                          Contains("the target the model predicts"));
    CHECK(read_text(out) == "old\n");
    // Refused flags leave it alone.
    const CliResult no_repeats =
        run_dlctl("explain " + ckpt + " --repeats 0 --output " + quote(out));
    CHECK(no_repeats.exit_code == 2);
    CHECK_THAT(no_repeats.err, Contains("--repeats must be at least 1"));
    const CliResult one_sample =
        run_dlctl("explain " + ckpt + " --rows 1 --samples 1 --output " + quote(out));
    CHECK(one_sample.exit_code == 2);
    CHECK_THAT(one_sample.err, Contains("--samples must be at least 2"));
    // A failure after the data was read leaves it alone too.
    const CliResult bad_metric =
        run_dlctl("explain " + ckpt + " --data " + quote(source_file("data/penguins.csv")) +
                  " --metric rmse --output " + quote(out));
    CHECK(bad_metric.exit_code == 2);
    CHECK_THAT(bad_metric.err, Contains("unknown metric 'rmse'"));
    CHECK(read_text(out) == "old\n");
}
