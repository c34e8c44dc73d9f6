#include <catch2/catch.hpp>

#include "dlctl/metrics/metrics.h"

using namespace dlctl;

TEST_CASE("binary metrics come from the confusion matrix of the whole epoch", "[metrics]") {
    MetricAccumulator m({"accuracy", "precision", "recall", "f1"}, true);
    // Two batches: TP, FP, FN | TN, TP, TP, FN  -> TP 3, FP 1, FN 2, TN 1.
    const float p1[] = {0.9f, 0.6f, 0.2f}, y1[] = {1, 0, 1};
    const float p2[] = {0.1f, 0.5f, 0.99f, 0.49f}, y2[] = {0, 1, 1, 1};
    m.update(p1, y1, 3);
    m.update(p2, y2, 4);
    const MetricValues v = m.compute();
    REQUIRE(v.size() == 4);
    CHECK(v[0] == std::pair<std::string, double>{"accuracy", 4.0 / 7.0});
    CHECK(v[1].second == Approx(3.0 / 4.0));
    CHECK(v[2].second == Approx(3.0 / 5.0));
    CHECK(v[3].second == Approx(2.0 * 3 / (2.0 * 3 + 1 + 2)));
    m.reset();
    CHECK(m.compute()[0].second == 0.0);
}

TEST_CASE("regression metrics", "[metrics]") {
    MetricAccumulator m({"mse", "rmse", "mae", "r2"}, false);
    const float p[] = {1, 2, 4}, y[] = {1, 3, 3};
    m.update(p, y, 3);
    const MetricValues v = m.compute();
    CHECK(v[0].second == Approx(2.0 / 3.0));
    CHECK(v[1].second == Approx(std::sqrt(2.0 / 3.0)));
    CHECK(v[2].second == Approx(2.0 / 3.0));
    // mean y = 7/3; total sum of squares = 16/9 + 4/9 + 4/9 = 24/9
    CHECK(v[3].second == Approx(1.0 - 2.0 / (24.0 / 9.0)));
}
