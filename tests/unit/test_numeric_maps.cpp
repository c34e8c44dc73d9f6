#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "dlctl/data/numeric_maps.h"
#include "dlctl/data/preprocessor.h"

using namespace dlctl;

TEST_CASE("the normal quantile inverts the normal CDF", "[data][maps]") {
    CHECK(standard_normal_quantile(0.5) == Approx(0.0).margin(1e-15));
    CHECK(standard_normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-12));
    CHECK(standard_normal_quantile(0.025) == Approx(-1.959963984540054).epsilon(1e-12));
    CHECK(standard_normal_quantile(1e-7) == Approx(-5.199337582187471).epsilon(1e-10));
    for (double p = 0.001; p < 1.0; p += 0.0137) {  // both tails and the middle region
        const double x = standard_normal_quantile(p);
        CHECK(0.5 * std::erfc(-x / std::sqrt(2.0)) == Approx(p).epsilon(1e-12));
    }
}

TEST_CASE("ranks interpolate between knots, a repeated value takes the middle of its run",
          "[data][maps]") {
    const std::vector<double> sorted = {1, 2, 2, 2, 3, 10};
    const std::vector<double> knots = rank_knots(sorted, 1000);  // at most one knot a value
    CHECK(knots == sorted);
    CHECK(rank_of(knots, 0.0) == 0.0);
    CHECK(rank_of(knots, 11.0) == 1.0);
    CHECK(rank_of(knots, 1.0) == 0.0);
    CHECK(rank_of(knots, 2.0) == Approx(2.0 / 5));  // knots 1..3 are 2: the middle, 2
    CHECK(rank_of(knots, 6.5) == Approx(4.5 / 5));
    CHECK(rank_knots({0, 1, 2, 3, 4}, 3) == std::vector<double>{0, 2, 4});
    CHECK(quantile_normal(knots, 6.5) == Approx(standard_normal_quantile(0.9)));
    CHECK(quantile_normal(knots, -100.0) == Approx(-5.199337582187471).epsilon(1e-10));
    const std::vector<double> constant = {5, 5, 5};
    CHECK(quantile_normal(rank_knots(constant, 1000), 5.0) == Approx(0.0).margin(1e-12));
}

TEST_CASE("smooth clipping is the identity near 0 and stays within 3", "[data][maps]") {
    CHECK(smooth_clip(0.0) == 0.0);
    CHECK(smooth_clip(0.01) == Approx(0.01).epsilon(1e-5));
    CHECK(smooth_clip(1e6) < 3.0);
    CHECK(smooth_clip(-1e6) > -3.0);
    CHECK(smooth_clip(3.0) == Approx(3.0 / std::sqrt(2.0)));
}
