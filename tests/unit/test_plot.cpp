#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "dlctl/metrics/metrics.h"
#include "dlctl/plot/axis.h"
#include "dlctl/plot/chart.h"
#include "dlctl/plot/confusion_plot.h"
#include "dlctl/plot/run_plots.h"
#include "dlctl/plot/svg_document.h"
#include "dlctl/report/sweep_plot.h"

using namespace dlctl;
using namespace dlctl::plot;

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
    return count;
}

}  // namespace

TEST_CASE("linear axes get 1-2-5 ticks and bounds rounded out to a tick", "[plot]") {
    const Axis a = Axis::linear(0.13, 0.97);
    CHECK(a.low() == Approx(0.0));
    CHECK(a.high() == Approx(1.0));
    const std::vector<double> ticks = a.ticks();
    REQUIRE(ticks.size() == 6);
    CHECK(ticks[1] == Approx(0.2));
    CHECK(a.label(ticks[1]) == "0.2");
    CHECK(a.label(ticks[0]) == "0");
    CHECK(a.fraction(0.5) == Approx(0.5));

    const Axis big = Axis::linear(0, 5300);
    CHECK(big.label(big.ticks()[1]) == "2000");  // 5300 / 5 ticks: steps of 2000

    const Axis flat = Axis::linear(5, 5);  // one value: a range around it
    CHECK(flat.low() < 5.0);
    CHECK(flat.high() > 5.0);
    const Axis none = Axis::linear(std::nan(""), std::nan(""));
    CHECK(none.low() == 0.0);
    CHECK(none.high() == 1.0);
}

TEST_CASE("logarithmic axes tick at whole decades", "[plot]") {
    const Axis a = Axis::logarithmic(1.5e-4, 0.008);
    const std::vector<double> ticks = a.ticks();
    REQUIRE(ticks.size() == 3);
    CHECK(ticks[0] == Approx(1e-4));
    CHECK(ticks[2] == Approx(1e-2));
    CHECK(a.fraction(1e-3) == Approx(0.5));
    CHECK(a.label(1e-3) == "0.001");
}

TEST_CASE("text is escaped for XML and shortened on UTF-8 character boundaries", "[plot]") {
    CHECK(xml_escape("<a & 'b' \"c\">\x01") == "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;");
    CHECK(shorten("abc", 5) == "abc");
    CHECK(shorten("abcde", 5) == "abcde");
    CHECK(shorten("abcdef", 5) == "abcd\u2026");
    // Two-byte characters are never cut in half.
    CHECK(shorten("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 3) == "\u00e9\u00e9\u2026");
}

TEST_CASE("the ROC curve and its AUC agree with the metric", "[plot]") {
    const RocCurve simple = roc_curve({0.9f, 0.8f, 0.7f, 0.6f}, {true, false, true, false});
    CHECK(simple.auc == Approx(0.75));
    CHECK(simple.false_positive_rate.front() == 0.0);
    CHECK(simple.true_positive_rate.back() == 1.0);
    CHECK(simple.false_positive_rate.back() == 1.0);

    // Random scores with many ties (rounded to tenths): the trapezoid area equals the rank AUC.
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::vector<float> scores, labels;
    std::vector<bool> positive;
    for (int i = 0; i < 500; ++i) {
        const bool p = u(rng) < 0.4f;
        scores.push_back(std::round(std::min(1.0f, u(rng) * 0.7f + (p ? 0.3f : 0.0f)) * 10) / 10);
        positive.push_back(p);
        labels.push_back(p ? 1.0f : 0.0f);
    }
    MetricAccumulator metric({"auc"}, 1);
    metric.update(scores.data(), labels.data(), static_cast<std::int64_t>(scores.size()));
    CHECK(roc_curve(scores, positive).auc == Approx(metric.compute()[0].second).epsilon(1e-9));

    CHECK(std::isnan(roc_curve({0.2f, 0.4f}, {true, true}).auc));  // one class: no curve
}

TEST_CASE("curves.svg has a panel per metric with training and validation, and the lr", "[plot]") {
    const std::vector<std::string> columns = {"epoch",    "lr",           "loss",   "accuracy",
                                              "val_loss", "val_accuracy", "seconds"};
    const std::vector<std::vector<std::string>> rows = {
        {"1", "0.1", "0.9", "0.5", "0.8", "0.55", "0.01"},
        {"2", "0.01", "0.5", "0.7", "", "", "0.01"},  // an epoch without validation
        {"3", "0.001", "0.3", "0.9", "0.4", "0.85", "0.01"}};
    const std::string svg =
        training_curves_svg("exp: training curves", "run - 3 epochs", columns, rows);
    CHECK(svg.starts_with("<?xml"));
    CHECK(svg.find(">loss</text>") != std::string::npos);
    CHECK(svg.find(">accuracy</text>") != std::string::npos);
    CHECK(svg.find(">learning rate</text>") != std::string::npos);
    CHECK(svg.find(">seconds</text>") == std::string::npos);
    CHECK(occurrences(svg, ">validation</text>") == 2);  // legends of loss and accuracy
    // loss and accuracy for both splits, and the lr: five curves.
    CHECK(occurrences(svg, "<polyline") == 5);
    // The lr spans two decades: a log axis with decade ticks.
    CHECK(svg.find(">0.001</text>") != std::string::npos);
    CHECK(svg.find(">0.1</text>") != std::string::npos);
}

TEST_CASE("a panel without finite values says so instead of drawing", "[plot]") {
    Figure figure;
    figure.title = "t";
    Panel panel;
    panel.series.emplace_back("nan", std::vector<double>{1, 2},
                              std::vector<double>{std::nan(""), INFINITY});
    figure.panels.push_back(panel);
    const std::string svg = render_svg(figure);
    CHECK(svg.find(">no data</text>") != std::string::npos);
    CHECK(svg.find("<polyline") == std::string::npos);
    CHECK(svg.find("nan\"") == std::string::npos);
}

TEST_CASE("confusion.svg shows every count, labels escaped", "[plot]") {
    const std::string svg =
        confusion_svg("exp: confusion", {"cat", "<dog>", "emu"}, {{5, 1, 0}, {2, 7, 0}, {0, 0, 3}});
    CHECK(svg.find("&lt;dog&gt;") != std::string::npos);
    CHECK(svg.find("<dog>") == std::string::npos);
    CHECK(svg.find(">7</text>") != std::string::npos);
    CHECK(svg.find("18 rows, 15 correct (83.3%)") != std::string::npos);
    CHECK(occurrences(svg, "<rect") == 1 + 9);  // background and one cell per pair
}

TEST_CASE("the sweep plot draws the metric against every varied setting", "[plot]") {
    Leaderboard board;
    board.metric = "val_loss";
    board.mode = "min";
    board.columns = {"train.optimizer.lr", "model.layers.0.activation"};
    const auto run = [](const char* dir, std::optional<double> v, std::string lr, std::string act) {
        RunRow row;
        row.dir = dir;
        row.status = v ? "completed" : "failed";
        row.value = v;
        row.settings = {std::move(lr), std::move(act)};
        return row;
    };
    board.rows = {run("runs/a", 0.1, "0.001", "relu"), run("runs/b", 0.2, "0.01", "tanh"),
                  run("runs/c", 0.3, "0.1", "relu"), run("runs/d", 0.4, "0.0001", "tanh"),
                  run("runs/e", std::nullopt, "1", "relu")};
    const std::string svg = sweep_svg(board);
    CHECK(svg.find(">train.optimizer.lr</text>") != std::string::npos);
    CHECK(svg.find(">model.layers.0.activation</text>") != std::string::npos);
    CHECK(svg.find("best: a = 0.1") != std::string::npos);
    CHECK(svg.find("1 runs without val_loss not shown") != std::string::npos);
    // Four lr values spanning three decades: a log axis; activations are categories.
    CHECK(svg.find(">0.0001</text>") != std::string::npos);
    CHECK(svg.find(">relu</text>") != std::string::npos);
    CHECK(svg.find(">tanh</text>") != std::string::npos);
}
