#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "dlctl/optim/schedule.h"
#include "dlctl/train/early_stopping.h"

using namespace dlctl;

namespace {
ScheduleSpec schedule(const std::string& type) {
    ScheduleSpec s;
    s.type = type;
    return s;
}
}  // namespace

TEST_CASE("epoch schedules follow torch.optim.lr_scheduler's formulas", "[schedule]") {
    ScheduleSpec step = schedule("step");
    step.step_size = 2;
    step.gamma = 0.5;
    const LearningRateSchedule s(step, 1.0, 10, 5);
    CHECK(s.at(0, 0) == 1.0);
    CHECK(s.at(1, 4) == 1.0);
    CHECK(s.at(2, 0) == 0.5);
    CHECK(s.at(4, 0) == 0.25);

    ScheduleSpec exponential = schedule("exponential");
    exponential.gamma = 0.9;
    CHECK(LearningRateSchedule(exponential, 2.0, 10, 5).at(2, 3) == Approx(2.0 * 0.81));

    ScheduleSpec cosine = schedule("cosine");
    cosine.t_max = 10;
    cosine.eta_min = 0.1;
    const LearningRateSchedule c(cosine, 1.1, 10, 5);
    CHECK(c.at(0, 0) == Approx(1.1));
    CHECK(c.at(5, 0) == Approx(0.6));
    CHECK(c.at(10, 0) == Approx(0.1));

    ScheduleSpec restarts = schedule("cosine");
    restarts.restart_period = 2;
    restarts.restart_mult = 2;
    const LearningRateSchedule r(restarts, 1.0, 20, 5);
    CHECK(r.at(1, 0) == Approx(0.5));  // halfway through the first period of 2
    CHECK(r.at(2, 0) == Approx(1.0));  // restart
    CHECK(r.at(3, 0) == Approx((1 + std::cos(std::numbers::pi / 4)) / 2));  // period 4
    CHECK(r.at(6, 0) == Approx(1.0));  // next restart after 2 + 4 epochs
}

TEST_CASE("one_cycle and warmup advance every step", "[schedule]") {
    ScheduleSpec one = schedule("one_cycle");
    one.max_lr = 1.0;
    const LearningRateSchedule s(one, 0.5, 10, 1);  // 10 steps in all; peak at step 2
    CHECK(s.at(0, 0) == Approx(1.0 / 25));
    CHECK(s.at(2, 0) == Approx(1.0));
    CHECK(s.at(9, 0) == Approx(1.0 / 25 / 1e4));

    ScheduleSpec warm = schedule("constant");
    warm.warmup_epochs = 2;
    warm.warmup_start_factor = 0.0;
    const LearningRateSchedule w(warm, 1.0, 10, 10);
    CHECK(w.at(0, 0) == 0.0);
    CHECK(w.at(0, 5) == Approx(0.25));
    CHECK(w.at(1, 5) == Approx(0.75));
    CHECK(w.at(2, 0) == 1.0);
}

TEST_CASE("coslog and flat_cos follow RealMLP's formulas over the run's steps", "[schedule]") {
    ScheduleSpec coslog = schedule("coslog");
    coslog.cycles = 4;
    const LearningRateSchedule c(coslog, 2.0, 10, 15);  // 150 steps
    const auto expected = [](double t) {
        return 2.0 * 0.5 * (1.0 - std::cos(2.0 * std::numbers::pi * std::log2(1.0 + 15.0 * t)));
    };
    CHECK(c.at(0, 0) == Approx(0.0).margin(1e-12));
    CHECK(c.at(3, 7) == Approx(expected(52.0 / 150.0)));
    // The cycles end where 1 + 15 t is a power of two: t = 1/15, 3/15, 7/15, 1.
    CHECK(c.at(0, 10) == Approx(0.0).margin(1e-12));
    CHECK(c.at(2, 0) == Approx(0.0).margin(1e-12));
    CHECK(c.at(4, 10) == Approx(0.0).margin(1e-12));
    // Each cycle peaks halfway in log time: 1 + 15 t = 2^1.5 gives t = (2^1.5 - 1) / 15.
    CHECK(expected((std::pow(2.0, 1.5) - 1.0) / 15.0) == Approx(2.0));

    const LearningRateSchedule f(schedule("flat_cos"), 1.0, 4, 25);  // 100 steps
    CHECK(f.at(0, 0) == 1.0);
    CHECK(f.at(1, 24) == 1.0);
    CHECK(f.at(3, 0) == Approx(0.5));
    CHECK(schedule_factor("flat_cos", 1.0) == Approx(0.0).margin(1e-12));
    CHECK(schedule_factor("flat_cos", 0.875) ==
          Approx(0.5 * (1.0 + std::cos(std::numbers::pi * 0.75))));
    CHECK(schedule_factor("constant", 0.9) == 1.0);
}

TEST_CASE("reduce_on_plateau cuts the rate after patience epochs without improvement",
          "[schedule]") {
    ScheduleSpec plateau = schedule("reduce_on_plateau");
    plateau.mode = "min";
    plateau.factor = 0.5;
    plateau.patience = 1;
    plateau.min_lr = 0.2;
    LearningRateSchedule s(plateau, 1.0, 10, 5);
    s.end_epoch(1.0);
    s.end_epoch(1.0);  // 1 bad epoch: not more than patience
    CHECK(s.at(2, 0) == 1.0);
    s.end_epoch(1.0);  // 2 bad epochs
    CHECK(s.at(3, 0) == 0.5);
    s.end_epoch(std::nan(""));  // not logged this epoch: no change
    s.end_epoch(0.1);
    s.end_epoch(0.2);
    s.end_epoch(0.2);
    CHECK(s.at(7, 0) == 0.25);
    s.end_epoch(0.3);
    s.end_epoch(0.3);
    CHECK(s.at(9, 0) == 0.2);  // floored at min_lr
}

TEST_CASE("early stopping counts epochs without improvement beyond min_delta", "[schedule]") {
    EarlyStoppingSpec spec;
    spec.enabled = true;
    spec.mode = "min";
    spec.patience = 2;
    spec.min_delta = 0.01;
    EarlyStopping e(spec);
    CHECK(e.update(1, 1.0));
    CHECK(e.update(2, 0.9));
    CHECK_FALSE(e.update(3, 0.895));  // better, but by less than min_delta
    CHECK_FALSE(e.should_stop());
    CHECK_FALSE(e.update(4, 0.95));
    CHECK(e.should_stop());
    CHECK(e.best_epoch() == 2);
    CHECK(e.best_value() == 0.9);

    spec.mode = "max";
    spec.patience = 0;
    EarlyStopping m(spec);
    CHECK(m.update(1, 0.5));
    CHECK_FALSE(m.should_stop());
    CHECK_FALSE(m.update(2, 0.4));
    CHECK(m.should_stop());
}
