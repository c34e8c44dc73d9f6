// End-to-end: a CSV as found in the wild (string labels, text columns, NA cells) through train,
// eval and predict.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "integration/cli_runner.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using nlohmann::json;

TEST_CASE("penguins: string labels, categorical features and missing values", "[cli][data]") {
    TempDir dir;
    const fs::path run = dir.path() / "run";
    const CliResult t = run_dlctl("train " + quote(source_file("configs/penguins.yaml")) +
                                  " --set train.epochs=15 --run-dir " + quote(run));
    INFO(t.err);
    REQUIRE(t.exit_code == 0);
    CHECK_THAT(t.err, Contains("non-numeric features: island (categorical, 3 values), sex"));
    CHECK_THAT(t.err, Contains("missing values: bill_length_mm 2"));
    CHECK_THAT(t.err, Contains("labels: Adelie, Chinstrap, Gentoo"));
    const json summary = json::parse(read_text(run / "data_summary.json"));
    CHECK(summary["labels"] == json({"Adelie", "Chinstrap", "Gentoo"}));
    CHECK(summary["feature_types"]["categorical"] == 2);
    CHECK(summary["encoded_features"] == 10);  // 4 numbers + island 3 + sex 2 + __missing__
    const json test = json::parse(read_text(run / "summary.json"))["test"];
    CHECK(test["accuracy"].get<double>() > 0.9);

    const std::string ckpt = quote(run / "checkpoints/best.safetensors");
    // New rows: an unseen island, a missing sex, columns in another order, an id.
    const fs::path rows = dir.write("new.csv",
                                    "tag,sex,island,bill_length_mm,bill_depth_mm,flipper_length_mm,"
                                    "body_mass_g,year\n"
                                    "a,male,Biscoe,50,15.2,218,5700,2009\n"
                                    "b,NA,Atlantis,39.1,18.7,181,3750,2008\n"
                                    "c,female,Dream,46.5,17.9,192,3500,2007\n");
    const CliResult p = run_dlctl("predict " + quote(rows) + " --checkpoint " + ckpt +
                                  " --id-column tag --format jsonl");
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    const json first = json::parse(p.out.substr(0, p.out.find('\n')));
    CHECK(first["tag"] == "a");
    CHECK(first["prediction"] == "Gentoo");
    CHECK(first["probabilities"].contains("Chinstrap"));

    const fs::path bad = dir.write("bad.csv",
                                   "sex,island,bill_length_mm,bill_depth_mm,flipper_length_mm,"
                                   "body_mass_g,year\nmale,Biscoe,fifty,15.2,218,5700,2009\n");
    const CliResult e = run_dlctl("predict " + quote(bad) + " --checkpoint " + ckpt);
    CHECK(e.exit_code == 3);
    CHECK_THAT(e.err, Contains("bad.csv:2: column 'bill_length_mm': 'fifty' is not a number"));

    // eval on a labelled CSV with string labels.
    const CliResult v = run_dlctl("eval --checkpoint " + ckpt + " --data " +
                                  quote(source_file("data/penguins.csv")) + " --output " +
                                  quote(dir.path() / "e.json"));
    INFO(v.err);
    REQUIRE(v.exit_code == 0);
    const json eval = json::parse(read_text(dir.path() / "e.json"));
    CHECK(eval["labels"] == json({"Adelie", "Chinstrap", "Gentoo"}));
    CHECK(eval["rows"] == 344);
    CHECK(eval["per_class"][0]["support"] == 152);
}
