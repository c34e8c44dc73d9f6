#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "integration/cli_runner.h"
#include "integration/run_checks.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// max − min of the groups' `key`, skipping nulls.
double spread(const json& groups, const std::string& key) {
    double lo = 2.0, hi = -1.0;
    for (const auto& g : groups) {
        if (g[key].is_null()) continue;
        lo = std::min(lo, g[key].get<double>());
        hi = std::max(hi, g[key].get<double>());
    }
    return hi - lo;
}

}  // namespace

TEST_CASE("eval --group-by scores each group, by a column the model does not use",
          "[cli][eval][group]") {
    TempDir dir;
    // Binary: the penguins' sex, without the island, which then groups the rows.
    const fs::path run =
        train_penguins(dir.path() / "sex", "--target sex --set data.drop=[island,year]", 20);
    const std::string ckpt = " --checkpoint " + quote(run / "checkpoints/best.safetensors");
    const std::string data = " --data " + quote(source_file("data/penguins.csv"));

    const CliResult printed = run_dlctl("eval" + ckpt + data + " --group-by island");
    INFO(printed.err);
    REQUIRE(printed.exit_code == 0);
    CHECK_THAT(printed.out, Contains("by 'island' (threshold 0.5)") && Contains("Torgersen") &&
                                Contains("selection") && Contains("ece ") &&
                                Contains("demographic_parity_difference") &&
                                Contains("equalized_odds_difference"));

    const json e = eval_json(ckpt + data + " --group-by island", dir.path() / "e.json");
    CHECK(e["group_by"] == "island");
    REQUIRE(e["groups"].size() == 3);
    std::int64_t rows = 0;
    std::set<std::string> names;
    for (const auto& g : e["groups"]) {
        rows += g["rows"].get<std::int64_t>();
        names.insert(g["group"].get<std::string>());
        CHECK(g["metrics"].contains("accuracy"));
        CHECK(g["metrics"]["ece"].get<double>() >= 0.0);
        CHECK(g["selection_rate"].get<double>() >= 0.0);
        CHECK(g["true_positive_rate"].is_number());
        CHECK(g["false_positive_rate"].is_number());
    }
    CHECK(rows == e["rows"].get<std::int64_t>());
    CHECK(names == std::set<std::string>{"Biscoe", "Dream", "Torgersen"});
    CHECK(e["demographic_parity_difference"].get<double>() ==
          Approx(spread(e["groups"], "selection_rate")));
    CHECK(e["equalized_odds_difference"].get<double>() ==
          Approx(std::max(spread(e["groups"], "true_positive_rate"),
                          spread(e["groups"], "false_positive_rate"))));
    const double ece = e["metrics"]["ece"].get<double>();
    CHECK((ece >= 0.0 && ece <= 1.0));

    // The held-out test split groups by the training file's column the same way.
    const json held = eval_json(ckpt + " --group-by island", dir.path() / "held.json");
    rows = 0;
    for (const auto& g : held["groups"]) rows += g["rows"].get<std::int64_t>();
    CHECK(rows == held["rows"].get<std::int64_t>());

    // A column the file does not have: exit 2 with the nearest name, nothing written.
    for (const std::string& rows_from : {data, std::string()}) {
        const CliResult typo = run_dlctl("eval" + ckpt + rows_from + " --group-by islnd --output " +
                                         quote(dir.path() / "typo.json"));
        CHECK(typo.exit_code == 2);
        CHECK_THAT(typo.err, Contains("--group-by 'islnd'") && Contains("did you mean 'island'"));
        CHECK_FALSE(fs::exists(dir.path() / "typo.json"));
    }
}

TEST_CASE("eval --group-by of a multiclass model: missing cells form the last group",
          "[cli][eval][group]") {
    TempDir dir;
    const fs::path run = train_penguins(dir.path() / "species", "--target species", 3);
    const json e =
        eval_json(" --checkpoint " + quote(run / "checkpoints/best.safetensors") + " --data " +
                      quote(source_file("data/penguins.csv")) + " --group-by sex",
                  dir.path() / "e.json");
    REQUIRE(e["groups"].size() == 3);
    CHECK(e["groups"][0]["group"] == "female");
    CHECK(e["groups"][1]["group"] == "male");
    CHECK(e["groups"][2]["group"] == "(missing)");
    CHECK(e["groups"][2]["rows"] == 11);  // the penguins without a recorded sex
    CHECK(e["groups"][0]["metrics"].contains("f1_macro"));
    CHECK_FALSE(e["groups"][0].contains("selection_rate"));
    CHECK_FALSE(e.contains("demographic_parity_difference"));
    CHECK(e["metrics"].contains("ece"));
}
