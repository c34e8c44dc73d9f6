#pragma once

#include <cstdint>
#include <string>

#include "dlctl/config/spec.h"
#include "dlctl/core/training_state.h"

namespace dlctl {

/// A factor over a run at `progress` (steps done / all steps, in [0, 1]): constant 1, or flat_cos,
/// 1 for the first half and then a cosine down to 0 (train.dropout_schedule,
/// train.weight_decay_schedule).
double schedule_factor(const std::string& type, double progress);

/// The learning rate for every step of a run: constant, step, exponential, cosine (with warm
/// restarts), one_cycle, reduce_on_plateau, coslog or flat_cos, optionally preceded by a linear
/// warmup. Epoch-based schedules follow torch.optim.lr_scheduler's closed forms evaluated once per
/// epoch; one_cycle, coslog, flat_cos and the warmup advance every step. coslog (RealMLP's) rises
/// from 0 to lr and falls back `cycles` times, each cycle twice as long as the one before:
/// lr · (1 - cos(2π · log2(1 + (2^cycles - 1) · t))) / 2 at progress t.
class LearningRateSchedule {
  public:
    LearningRateSchedule(const ScheduleSpec& spec,
                         double base_lr,
                         int epochs,
                         std::int64_t steps_per_epoch);

    /// The learning rate for step `step` (0-based) of epoch `epoch` (0-based).
    double at(int epoch, std::int64_t step) const;

    /// reduce_on_plateau: the monitored value after an epoch; NaN when it was not logged (e.g.
    /// no validation that epoch), which leaves the schedule unchanged.
    void end_epoch(double monitored);

    ScheduleState state() const { return {plateau_lr_, best_, bad_epochs_, cooldown_left_}; }
    void restore(const ScheduleState& state) {
        plateau_lr_ = state.plateau_lr;
        best_ = state.best;
        bad_epochs_ = state.bad_epochs;
        cooldown_left_ = state.cooldown_left;
    }

  private:
    double scheduled(int epoch, std::int64_t global_step) const;

    ScheduleSpec spec_;
    double base_lr_;
    int epochs_;
    std::int64_t steps_per_epoch_;
    // reduce_on_plateau state
    double plateau_lr_;
    double best_ = 0.0;
    int bad_epochs_ = 0;
    int cooldown_left_ = 0;
};

}  // namespace dlctl
