#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dlctl/inference/group_metrics.h"

using namespace dlctl;

namespace {

Dataset targets(const std::vector<float>& y) {
    Dataset d;
    d.n_rows = static_cast<std::int64_t>(y.size());
    d.targets = y;
    return d;
}

}  // namespace

TEST_CASE("group metrics: sizes, rates and fairness differences of a hand-made example",
          "[group]") {
    const TaskInfo task{"binary", 1, "y", {"no", "yes"}, 0.0, 1.0};
    // A: predicted 1 0 1 0 for 1 1 0 0; B: predicted 1 1 0 1 for 1 0 0 0; missing: 0 for 0.
    const std::vector<std::string> group = {"B", "A", "A", "", "B", "A", "B", "A", "B"};
    const std::vector<float> p = {0.8f, 0.9f, 0.2f, 0.3f, 0.6f, 0.7f, 0.1f, 0.4f, 0.7f};
    const std::vector<float> y = {1, 1, 1, 0, 0, 0, 0, 0, 0};
    std::vector<std::string> named = group;
    for (auto& g : named) {
        if (g.empty()) g = kMissingGroup;
    }
    const GroupMetrics m = group_metrics(task, p, targets(y), named, 0.5, true);
    REQUIRE(m.groups.size() == 3);
    const GroupReport &a = m.groups[0], &b = m.groups[1], &missing = m.groups[2];
    CHECK(a.name == "A");
    CHECK(b.name == "B");
    CHECK(missing.name == kMissingGroup);
    CHECK(a.report.rows == 4);
    CHECK(b.report.rows == 4);
    CHECK(missing.report.rows == 1);
    CHECK(a.report.metrics.front() == std::pair<std::string, double>{"accuracy", 0.5});
    CHECK(a.report.metrics.back().first == "ece");
    CHECK(*a.selection_rate == Approx(0.5));
    CHECK(*a.true_positive_rate == Approx(0.5));
    CHECK(*a.false_positive_rate == Approx(0.5));
    CHECK(*b.selection_rate == Approx(0.75));
    CHECK(*b.true_positive_rate == Approx(1.0));
    CHECK(*b.false_positive_rate == Approx(2.0 / 3.0));
    CHECK(*missing.selection_rate == 0.0);
    CHECK_FALSE(missing.true_positive_rate);  // no positive rows
    CHECK(*missing.false_positive_rate == 0.0);
    // Selection rates 0.5, 0.75, 0; TPRs 0.5, 1 (none); FPRs 0.5, 2/3, 0.
    CHECK(*m.demographic_parity_difference == Approx(0.75));
    CHECK(*m.equalized_odds_difference == Approx(2.0 / 3.0));

    // A higher threshold selects only A's 0.9: TPRs 0.5 and 0, FPRs all 0.
    const GroupMetrics strict = group_metrics(task, p, targets(y), named, 0.85, false);
    CHECK(*strict.groups[0].selection_rate == Approx(0.25));
    CHECK(*strict.groups[1].selection_rate == Approx(0.0));
    CHECK(*strict.demographic_parity_difference == Approx(0.25));
    CHECK(*strict.equalized_odds_difference == Approx(0.5));
    CHECK(strict.groups[0].report.metrics.back().first != "ece");
}

TEST_CASE("group metrics of a multiclass task: each group's usual metrics, no rates", "[group]") {
    const TaskInfo task{"multiclass", 3, "y", {"a", "b", "c"}, 0.0, 1.0};
    const std::vector<float> p = {0.8f, 0.1f, 0.1f, 0.1f, 0.8f, 0.1f, 0.2f, 0.2f, 0.6f};
    const GroupMetrics m = group_metrics(task, p, targets({0, 2, 2}), {"x", "y", "x"}, 0.5, true);
    REQUIRE(m.groups.size() == 2);
    CHECK(m.groups[0].report.rows == 2);
    CHECK(m.groups[0].report.metrics.front().second == 1.0);  // accuracy of x
    CHECK(m.groups[1].report.metrics.front().second == 0.0);
    CHECK_FALSE(m.groups[0].selection_rate);
    CHECK_FALSE(m.demographic_parity_difference);
    CHECK_FALSE(m.equalized_odds_difference);
}
