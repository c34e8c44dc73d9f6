#include <catch2/catch.hpp>
#include <cmath>

#include "dlctl/metrics/calibration_error.h"
#include "dlctl/metrics/metrics.h"

using namespace dlctl;

TEST_CASE("binary metrics come from the confusion matrix of the whole epoch", "[metrics]") {
    MetricAccumulator m({"accuracy", "precision", "recall", "f1"}, 1);
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
    MetricAccumulator m({"mse", "rmse", "mae", "r2"}, 0);
    const float p[] = {1, 2, 4}, y[] = {1, 3, 3};
    m.update(p, y, 3);
    const MetricValues v = m.compute();
    CHECK(v[0].second == Approx(2.0 / 3.0));
    CHECK(v[1].second == Approx(std::sqrt(2.0 / 3.0)));
    CHECK(v[2].second == Approx(2.0 / 3.0));
    // mean y = 7/3; total sum of squares = 16/9 + 4/9 + 4/9 = 24/9
    CHECK(v[3].second == Approx(1.0 - 2.0 / (24.0 / 9.0)));
}

TEST_CASE("binary AUC and log loss match hand computation", "[metrics]") {
    MetricAccumulator m({"auc", "log_loss", "precision_macro"}, 1);
    // Scores 0.1, 0.4, 0.35, 0.8 for labels 0, 0, 1, 1: 3 of 4 positive-negative pairs ordered.
    const float p[] = {0.1f, 0.4f, 0.35f, 0.8f}, y[] = {0, 0, 1, 1};
    m.update(p, y, 4);
    const MetricValues v = m.compute();
    CHECK(v[0].second == Approx(0.75));
    CHECK(v[1].second ==
          Approx(-(std::log(0.9) + std::log(0.6) + std::log(0.35) + std::log(0.8)) / 4));
    // Threshold 0.5 predicts 0, 0, 0, 1: class 0 precision 2/3, class 1 precision 1.
    CHECK(v[2].second == Approx((2.0 / 3 + 1.0) / 2));
    CHECK(m.confusion() == ConfusionMatrix{{2, 0}, {1, 1}});
}

TEST_CASE("tied scores count half in the AUC", "[metrics]") {
    MetricAccumulator m({"auc"}, 1);
    const float p[] = {0.5f, 0.5f}, y[] = {0, 1};
    m.update(p, y, 2);
    CHECK(m.compute()[0].second == Approx(0.5));
}

TEST_CASE("multiclass metrics: macro and weighted averages, one-vs-rest AUC", "[metrics]") {
    MetricAccumulator m({"accuracy", "f1", "f1_macro", "f1_weighted", "recall_weighted", "auc"}, 3);
    // Probabilities per sample (3 classes); predicted = argmax.
    const float p[] = {0.8f, 0.1f, 0.1f,   // actual 0, predicted 0
                       0.2f, 0.7f, 0.1f,   // actual 0, predicted 1
                       0.1f, 0.8f, 0.1f,   // actual 1, predicted 1
                       0.1f, 0.2f, 0.7f};  // actual 2, predicted 2
    const float y[] = {0, 0, 1, 2};
    m.update(p, y, 4);
    const MetricValues v = m.compute();
    CHECK(v[0].second == Approx(0.75));
    // per-class F1: class 0: tp 1 fp 0 fn 1 -> 2/3; class 1: tp 1 fp 1 fn 0 -> 2/3; class 2: 1
    CHECK(v[1].second == Approx((2.0 / 3 + 2.0 / 3 + 1.0) / 3));  // f1 = macro for multiclass
    CHECK(v[2].second == Approx((2.0 / 3 + 2.0 / 3 + 1.0) / 3));
    CHECK(v[3].second == Approx((2 * 2.0 / 3 + 1 * 2.0 / 3 + 1 * 1.0) / 4));
    CHECK(v[4].second == Approx(0.75));  // weighted recall = accuracy
    CHECK(v[5].second > 0.8);
    CHECK(m.confusion() == ConfusionMatrix{{1, 1, 0}, {0, 1, 0}, {0, 0, 1}});
}

TEST_CASE("macro averages skip classes that never occur, NaN scores give no AUC", "[metrics]") {
    MetricAccumulator m({"recall_macro", "auc"}, 3);
    const float p[] = {0.9f, 0.05f, 0.05f, 0.1f, 0.8f, 0.1f};  // class 2 never appears
    const float y[] = {0, 1};
    m.update(p, y, 2);
    CHECK(m.compute()[0].second == Approx(1.0));
    MetricAccumulator nan({"auc"}, 1);
    const float q[] = {std::nanf(""), 0.2f}, z[] = {1, 0};
    nan.update(q, z, 2);
    CHECK(std::isnan(nan.compute()[0].second));
}

TEST_CASE("regression metrics are computed in the target's own units", "[metrics]") {
    MetricAccumulator m({"rmse", "mae"}, 0, 100.0, 10.0);  // stored value v means 10 v + 100
    const float p[] = {1.0f, 0.0f}, y[] = {0.5f, 0.0f};
    m.update(p, y, 2);
    CHECK(m.compute()[0].second == Approx(std::sqrt(25.0 / 2)));
    CHECK(m.compute()[1].second == Approx(2.5));
}

TEST_CASE("expected calibration error: binary rows in 15 bins, by hand", "[metrics][calibration]") {
    // Predicted 1 (0.9, right), 1 (0.82, wrong), 0 (confidence 0.7, right), 1 (0.62, right):
    // each alone in its bin, so ECE = mean |correct - confidence|.
    const float p[] = {0.9f, 0.82f, 0.3f, 0.62f}, y[] = {1, 0, 0, 1};
    CHECK(expected_calibration_error(p, y, 4, 1) == Approx((0.1 + 0.82 + 0.3 + 0.38) / 4));
    // 0.9 and 0.91 share the bin (13/15, 14/15]: accuracy 1/2, confidence 0.905.
    const float shared[] = {0.9f, 0.91f}, labels[] = {1, 0};
    CHECK(expected_calibration_error(shared, labels, 2, 1) == Approx(0.405));
    // With 2 bins: 0.62 and 0.7 (a 0.3 predicted 0) share (0.5, 1] with 0.9 and 0.82.
    CHECK(expected_calibration_error(p, y, 4, 1, 2) ==
          Approx(std::abs(3.0 - (0.9 + 0.82 + 0.7 + 0.62)) / 4));
    const float sure[] = {1.0f, 0.0f}, right[] = {1, 0};
    CHECK(expected_calibration_error(sure, right, 2, 1) == 0.0);
    CHECK(std::isnan(expected_calibration_error(p, y, 0, 1)));
}

TEST_CASE("expected calibration error: multiclass confidence is the top probability",
          "[metrics][calibration]") {
    const float p[] = {0.7f, 0.2f,  0.1f,    // class 0, right, bin 10
                       0.1f, 0.5f,  0.4f,    // class 1, wrong (it is 2), bin 7
                       0.2f, 0.16f, 0.64f};  // class 2, right, bin 9
    const float y[] = {0, 2, 2};
    CHECK(expected_calibration_error(p, y, 3, 3) == Approx((0.3 + 0.5 + 0.36) / 3));
}
