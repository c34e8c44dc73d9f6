#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "dlctl/inference/temperature_scaling.h"

using namespace dlctl;

namespace {

/// `rows` rows of `classes` logits z ~ N(0, 3²) (one for binary) and classes drawn from
/// softmax(z / T) (binary: sigmoid(z / T)), so T is the temperature that calibrates z.
LabelledLogits drawn(int classes, double temperature, std::int64_t rows, std::int64_t members) {
    std::mt19937 rng(7);
    std::normal_distribution<double> normal(0.0, 3.0);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    LabelledLogits d{rows, members, classes, {}, {}};
    const int width = std::max(classes, 1);
    std::vector<double> z(static_cast<std::size_t>(width));
    for (std::int64_t r = 0; r < rows; ++r) {
        for (auto& v : z) v = normal(rng);
        std::vector<double> p(z.size());
        if (classes == 1) {
            p = {1.0 / (1.0 + std::exp(z[0] / temperature))};  // P(class 0)
        } else {
            double sum = 0.0;
            for (std::size_t c = 0; c < z.size(); ++c) sum += p[c] = std::exp(z[c] / temperature);
            for (auto& v : p) v /= sum;
        }
        double u = uniform(rng), label = classes == 1 ? 1.0 : static_cast<double>(width - 1);
        for (std::size_t c = 0; c < p.size(); ++c) {
            if ((u -= p[c]) < 0) {
                label = static_cast<double>(c);
                break;
            }
        }
        for (std::int64_t m = 0; m < members; ++m) {
            for (const double v : z) d.logits.push_back(static_cast<float>(v));
        }
        d.targets.push_back(static_cast<float>(label));
    }
    return d;
}

}  // namespace

TEST_CASE("temperature scaling recovers the temperature the labels were drawn with",
          "[calibration]") {
    for (const int classes : {1, 3}) {
        for (const double t : {0.5, 2.0}) {
            INFO("classes " << classes << ", T " << t);
            const LabelledLogits d = drawn(classes, t, 20000, 1);
            const double fitted = fit_temperature(d);
            CHECK(fitted == Approx(t).epsilon(0.08));
            CHECK(tempered_nll(d, fitted) < tempered_nll(d, 1.0));
            CHECK(tempered_nll(d, fitted) <= tempered_nll(d, fitted * 1.01));
            CHECK(tempered_nll(d, fitted) <= tempered_nll(d, fitted / 1.01));
        }
    }
    // An ensemble's members each get the temperature; identical members predict as one.
    const LabelledLogits ensemble = drawn(3, 2.0, 5000, 2), one = drawn(3, 2.0, 5000, 1);
    CHECK(fit_temperature(ensemble) == Approx(fit_temperature(one)).epsilon(1e-6));
}

TEST_CASE("tempered probabilities and log loss follow sigmoid and softmax of z / T",
          "[calibration]") {
    const LabelledLogits binary{2, 1, 1, {2.0f, -1.0f}, {1, 1}};
    const std::vector<float> p = tempered_probabilities(binary, 2.0);
    CHECK(p[0] == Approx(1.0 / (1.0 + std::exp(-1.0))));
    CHECK(p[1] == Approx(1.0 / (1.0 + std::exp(0.5))));
    CHECK(tempered_nll(binary, 2.0) == Approx(-(std::log(p[0]) + std::log(p[1])) / 2));
    // Two members: the mean of their softmaxes.
    const LabelledLogits members{1, 2, 2, {0.0f, 2.0f, 1.0f, 1.0f}, {1}};
    const double first = std::exp(2.0) / (1.0 + std::exp(2.0));
    const std::vector<float> q = tempered_probabilities(members, 1.0);
    CHECK(q[1] == Approx((first + 0.5) / 2));
    CHECK(q[0] + q[1] == Approx(1.0));
    CHECK(tempered_nll(members, 1.0) == Approx(-std::log((first + 0.5) / 2)));
    // Far beyond float's exp: the log loss stays finite.
    const LabelledLogits confident{1, 1, 1, {-200.0f}, {1}};
    CHECK(tempered_nll(confident, 1.0) == Approx(200.0));
}
