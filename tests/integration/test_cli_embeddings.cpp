#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
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

/// 1200 rows whose class depends on a code of 120 values (its residue mod 3) and on x.
std::string codes_csv() {
    std::string out = "code,x,y\n";
    std::uint32_t state = 12345;
    auto next = [&] { return state = state * 1664525u + 1013904223u; };
    for (int i = 0; i < 1200; ++i) {
        const int code = static_cast<int>(next() >> 8) % 120;
        const double x = static_cast<double>(next() >> 8) / (1 << 24) * 4.0 - 2.0;
        out += fmt::format("c{},{:.4f},{}\n", code, x, (code % 3 == 0) != (x > 0.5) ? 1 : 0);
    }
    return out;
}

double test_accuracy(const fs::path& run) {
    return json::parse(read_text(run / "summary.json"))["test"]["accuracy"].get<double>();
}

}  // namespace

TEST_CASE("a wide categorical column gets a learned embedding that beats one-hot with __other__",
          "[cli][embeddings]") {
    TempDir dir;
    const fs::path data = dir.write("codes.csv", codes_csv());
    const fs::path embedded = dir.path() / "embedded", one_hot = dir.path() / "one-hot";
    const std::string train =
        "train " + quote(data) + " --target y -q --threads 1 --set train.epochs=40 --run-dir ";
    const CliResult r = run_dlctl(train + quote(embedded));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // The default preset embeds columns of more than 50 values (data.max_categories).
    CHECK_THAT(
        read_text(embedded / "config.yaml"),
        Contains("embed_categories: 50") && Contains("- {type: category_embedding, units: 16}"));
    CHECK_THAT(read_text(embedded / "train.log"),
               Contains("(categorical, ") && Contains(" values, embedded)"));
    REQUIRE(run_dlctl(train + quote(one_hot) + " --set data.embed_categories=0").exit_code == 0);
    INFO("embedded " << test_accuracy(embedded) << ", one-hot " << test_accuracy(one_hot));
    CHECK(test_accuracy(embedded) > test_accuracy(one_hot) + 0.05);

    const std::string ckpt = quote(embedded / "checkpoints/best.safetensors");
    const CliResult e =
        run_dlctl("eval --checkpoint " + ckpt + " --output " + quote(dir.path() / "e.json"));
    REQUIRE(e.exit_code == 0);
    CHECK(json::parse(read_text(dir.path() / "e.json"))["metrics"]["accuracy"].get<double>() ==
          Approx(test_accuracy(embedded)));
    // A code never seen in training is predicted through __other__'s embedding.
    const fs::path rows = dir.write("new.csv", "code,x\nc3,0.1\nnever-seen,0.1\n");
    const CliResult p = run_dlctl("predict " + quote(rows) + " --checkpoint " + ckpt);
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    CHECK(csv_cells(p.out).size() == 3);
    const CliResult inspect = run_dlctl("inspect " + ckpt);
    REQUIRE(inspect.exit_code == 0);
    CHECK_THAT(inspect.out, Contains("learned embedding over") && Contains("category_embedding") &&
                                Contains("16 units a column"));
}

TEST_CASE("the three embedding layers combine, resume exactly, evaluate and inspect",
          "[cli][embeddings]") {
    TempDir dir;
    const std::string penguins = quote(source_file("data/penguins.csv"));
    const fs::path full = dir.path() / "full";
    // Bins for every numeric column but body mass (a value), island embedded (3 values > 2),
    // sex one-hot.
    const std::string spec =
        " --target species -q --set train.epochs=4 --set output.keep_checkpoints=4 --set "
        "data.embed_categories=2 --set data.normalize=piecewise_linear --set data.bins=4 --set "
        "'data.normalize_columns={body_mass_g: quantile}' --set 'model.layers=[{type: "
        "bin_embedding, units: 3}, {type: category_embedding, units: 2}, {type: "
        "periodic_embedding, units: 2, frequencies: 4}, {type: dense, units: 8, activation: "
        "relu}, {type: dense, units: 3, activation: softmax}]' --run-dir ";
    const CliResult r = run_dlctl("train " + penguins + spec + quote(full));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    check_resumes_exactly(full, 2, dir.path() / "resumed");
    const std::string ckpt = quote(full / "checkpoints/last.safetensors");
    check_eval_matches_summary(full, ckpt, dir.path());
    const CliResult inspect = run_dlctl("inspect " + ckpt);
    REQUIRE(inspect.exit_code == 0);
    CHECK_THAT(inspect.out, Contains("bin_embedding") && Contains("3 units a column, relu") &&
                                Contains("category_embedding") && Contains("periodic_embedding"));
    const CliResult misplaced = run_dlctl(
        "train " + penguins +
        " --target species --set 'model.layers=[{type: dense, units: 8}, {type: bin_embedding}, "
        "{type: dense, units: 3, activation: softmax}]'");
    CHECK(misplaced.exit_code == 2);
    CHECK_THAT(misplaced.err,
               Contains("model.layers.1.type") && Contains("must come before every other layer"));
}
