#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/data/csv_reader.h"
#include "dlctl/inference/attributions.h"
#include "dlctl/inference/ensemble.h"
#include "dlctl/inference/labelled_rows.h"
#include "dlctl/inference/permutation_importance.h"
#include "dlctl/inference/shapley.h"
#include "dlctl/plot/importance_plot.h"
#include "support/temp_dir.h"

using namespace dlctl;
using dlctl::test::TempDir;

namespace {

/// v(S) = 1.5 + Σ_{i ∈ S} gain[i]: each player's Shapley value is its gain.
CoalitionValues additive_game(std::vector<double> gain) {
    return [gain](const std::vector<Coalition>& coalitions) {
        std::vector<double> out;
        for (const Coalition& s : coalitions) {
            double v = 1.5;
            for (std::size_t i = 0; i < gain.size(); ++i) v += s[i] ? gain[i] : 0.0;
            out.push_back(v);
        }
        return out;
    };
}

/// 1 when players 0 and 1 are both in, else 0: they share it, the others get nothing.
std::vector<double> and_game(const std::vector<Coalition>& coalitions) {
    std::vector<double> out;
    for (const Coalition& s : coalitions) out.push_back(s[0] && s[1] ? 1.0 : 0.0);
    return out;
}

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

/// 60 rows: a and b numbers, c a colour; y = 2a (b and c carry nothing).
std::string linear_csv() {
    std::string out = "a,b,c,y\n";
    const char* colours[] = {"red", "green", "blue", "red", "green"};
    for (int i = 0; i < 60; ++i) {
        const double a = (i * 37 % 23) / 4.0 - 2.0, b = (i * 11 % 17) / 3.0;
        out += fmt::format("{},{},{},{}\n", a, b, colours[i % 5], 2.0 * a);
    }
    return out;
}

/// A linear regression checkpoint on linear_csv()'s a, b and c (one-hot): y = w · x + bias on
/// the encoded inputs.
Checkpoint linear_checkpoint(const Table& table, const std::vector<float>& weight, float bias) {
    Checkpoint c;
    c.dlctl_version = "test";
    c.spec = load_spec_from_string(
        "data: {path: d.csv, target: y}\n"
        "model: {layers: [{type: dense, units: 1, activation: linear}]}\n"
        "train: {loss: mse}\n",
        "spec.yaml", "/");
    c.spec_yaml = to_yaml(c.spec);
    std::vector<std::uint32_t> rows(table.rows());
    std::iota(rows.begin(), rows.end(), 0u);
    c.preprocessor.fit(table, {0, 1, 2}, rows, FeatureOptions{});
    c.task = {"regression", 0, "y", {}, 0.0, 1.0};
    c.data = {"/d.csv", 2, 1234};
    c.best_monitor = "val_loss";
    c.tensors = {{"layers.0.dense.weight", {1, static_cast<std::int64_t>(weight.size())}, weight},
                 {"layers.0.dense.bias", {1}, {bias}}};
    return c;
}

Table read_linear_csv() {
    CsvOptions options;
    options.infer_types = true;
    return read_csv_text("linear.csv", linear_csv(), options);
}

LabelledRows labelled(Table table) {
    LabelledRows out;
    out.owned.push_back(std::move(table));
    out.tables.push_back(&out.owned.front());
    out.rows.resize(out.owned.front().rows());
    std::iota(out.rows.begin(), out.rows.end(), 0u);
    out.description = "linear.csv";
    return out;
}

/// A linear model's checkpoint in `dir` and the data it reads.
struct LinearModel {
    Checkpoint checkpoint;
    std::filesystem::path path;
};

LinearModel write_linear_model(const TempDir& dir,
                               const Table& table,
                               const std::vector<float>& weight,
                               float bias) {
    LinearModel out{linear_checkpoint(table, weight, bias), dir.path() / "linear.safetensors"};
    write_checkpoint(out.path, out.checkpoint);
    return out;
}

ImportanceOptions with_seed(std::uint64_t seed, int repeats) {
    ImportanceOptions out;
    out.seed = seed;
    out.repeats = repeats;
    return out;
}

const ColumnImportance& column(const PermutationImportance& p, const std::string& name) {
    for (const auto& c : p.columns) {
        if (c.name == name) return c;
    }
    FAIL("no column " << name);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("Shapley values of an additive game are its gains, exact or sampled", "[explain]") {
    const std::vector<double> gain{0.5, -2.0, 0.0, 3.25};
    for (const std::size_t exact_max : {std::size_t{10}, std::size_t{0}}) {
        const ShapleyValues phi =
            shapley_values(4, additive_game(gain), {.exact_max_players = exact_max, .samples = 8});
        CHECK(phi.exact == (exact_max == 10));
        CHECK(phi.empty == 1.5);
        CHECK(phi.full == Approx(1.5 + sum(gain)));
        for (std::size_t i = 0; i < gain.size(); ++i) CHECK(phi.values[i] == Approx(gain[i]));
    }
}

TEST_CASE("Shapley values share an interaction and always sum to full - empty", "[explain]") {
    const ShapleyValues exact = shapley_values(5, and_game, {});
    CHECK(exact.values == std::vector<double>{0.5, 0.5, 0.0, 0.0, 0.0});
    const ShapleyOptions sampled{.exact_max_players = 0, .samples = 7, .seed = 3};
    const ShapleyValues a = shapley_values(5, and_game, sampled);
    CHECK(a.permutations == 8);  // rounded up to antithetic pairs
    CHECK(sum(a.values) == Approx(a.full - a.empty));
    CHECK(a.values[2] == 0.0);
    CHECK(a.values == shapley_values(5, and_game, sampled).values);  // seeded
    // The estimate converges to the exact values.
    const ShapleyValues many =
        shapley_values(5, and_game, {.exact_max_players = 0, .samples = 4000});
    CHECK(many.values[0] == Approx(0.5).margin(0.03));
    CHECK(many.values[1] == Approx(0.5).margin(0.03));
}

TEST_CASE("permutation importance finds the one column the target depends on", "[explain]") {
    TempDir dir;
    const Table table = read_linear_csv();
    Checkpoint fitted = linear_checkpoint(table, {0, 0, 0, 0, 0}, 0);
    const FeatureColumn& a = fitted.preprocessor.columns()[0];
    // y = 2a exactly: a's weight on its standardized input, b and the colours weigh nothing.
    const auto model =
        write_linear_model(dir, table, {static_cast<float>(2.0 * a.scale), 0, 0, 0, 0},
                           static_cast<float>(2.0 * a.offset));
    Ensemble ensemble({model.path.string()}, "cpu", 1);
    LabelledRows data = labelled(table);
    const ImportanceOptions options = with_seed(0, 4);
    const PermutationImportance p = permutation_importance(ensemble, data, options);
    CHECK(p.metric == "rmse");  // the monitor, val_loss, is no metric eval reports
    CHECK_FALSE(p.higher_is_better);
    CHECK(p.baseline == Approx(0.0).margin(1e-4));
    REQUIRE(p.columns.size() == 3);
    CHECK(p.columns.front().name == "a");
    CHECK(column(p, "a").mean > 1.0);
    CHECK(column(p, "a").scores.size() == 4);
    CHECK(column(p, "b").mean == 0.0);
    CHECK(column(p, "b").std == 0.0);
    CHECK(column(p, "c").mean == 0.0);
    // The tables are as they were, and the same seed gives the same shuffles.
    CHECK(data.owned.front().columns[0] == table.columns[0]);
    CHECK(permutation_importance(ensemble, data, options).columns.front().scores ==
          p.columns.front().scores);
    const PermutationImportance other = permutation_importance(ensemble, data, with_seed(1, 4));
    CHECK(column(other, "a").scores != column(p, "a").scores);
    // A sample of the rows.
    ImportanceOptions sample = with_seed(0, 1);
    sample.max_rows = 25;
    CHECK(permutation_importance(ensemble, data, sample).rows.size() == 25);
    ImportanceOptions accuracy;
    accuracy.metric = "accuracy";
    CHECK_THROWS_AS(permutation_importance(ensemble, data, accuracy), UsageError);
}

TEST_CASE("a linear model's attributions are w · (x - baseline) per column and sum exactly",
          "[explain]") {
    TempDir dir;
    const Table table = read_linear_csv();
    const std::vector<float> w{0.7f, -1.3f, 0.5f, -0.25f, 1.0f};
    const auto model = write_linear_model(dir, table, w, 0.125f);
    const Preprocessor& pre = model.checkpoint.preprocessor;
    REQUIRE(pre.encoded_names() ==
            std::vector<std::string>{"a", "b", "c=red", "c=green", "c=blue"});
    Ensemble ensemble({model.path.string()}, "cpu", 1);
    const LabelledRows data = labelled(table);
    for (const std::size_t exact_max : {std::size_t{10}, std::size_t{0}}) {
        const Attributions attr = shapley_attributions(
            ensemble, data, {.count = 4, .exact_max_columns = exact_max, .samples = 6});
        REQUIRE(attr.rows.size() == 4);
        CHECK(attr.columns == std::vector<std::string>{"a", "b", "c"});
        CHECK(attr.baseline[2] == "red");  // the most frequent colour
        for (const RowAttribution& r : attr.rows) {
            const std::uint32_t i = r.row - 1;
            const auto& cols = pre.columns();
            const auto x = [&](int c) { return static_cast<double>(table.columns[c][i]); };
            // The baseline's a and b are their means, the standardization's offsets.
            const double phi_a = w[0] * (x(0) - cols[0].fill) / cols[0].scale;
            const double phi_b = w[1] * (x(1) - cols[1].fill) / cols[1].scale;
            const std::string colour = table.text(2, i);
            const std::size_t k = static_cast<std::size_t>(
                std::find(cols[2].vocabulary.begin(), cols[2].vocabulary.end(), colour) -
                cols[2].vocabulary.begin());
            const double phi_c = w[2 + k] - w[2];
            CHECK(r.line == i + 2);
            CHECK(r.output == "y");
            CHECK(r.attributions[0] == Approx(phi_a).margin(1e-5));
            CHECK(r.attributions[1] == Approx(phi_b).margin(1e-5));
            CHECK(r.attributions[2] == Approx(phi_c).margin(1e-5));
            CHECK(std::abs(r.residual) < 1e-6);
            const double y = 0.125 + w[0] * (x(0) - cols[0].offset) / cols[0].scale +
                             w[1] * (x(1) - cols[1].offset) / cols[1].scale + w[2 + k];
            CHECK(r.prediction == Approx(y).margin(1e-5));
        }
    }
}

TEST_CASE("importance.svg draws a bar and an error bar per column", "[explain][plot]") {
    const std::string svg =
        plot::importance_svg("y: permutation importance", "data.csv", "importance",
                             {{"a", 0.5, 0.1}, {"<b>", 0.01, 0.0}, {"c", -0.02, 0.01}});
    CHECK(svg.starts_with("<?xml"));
    CHECK(svg.find("&lt;b&gt;") != std::string::npos);
    CHECK(svg.find("<b>") == std::string::npos);
    std::size_t rects = 0;
    for (std::size_t at = svg.find("<rect"); at != std::string::npos;
         at = svg.find("<rect", at + 1))
        ++rects;
    CHECK(rects == 1 + 1 + 1 + 3);  // background, plot area, its frame, one bar per column
    CHECK(svg.find("nan") == std::string::npos);
}
