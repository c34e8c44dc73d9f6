#pragma once

#include <cstdint>

#include "dlctl/config/spec.h"
#include "dlctl/core/training_state.h"

namespace dlctl {

/// The learning rate for every step of a run: constant, step, exponential, cosine (with warm
/// restarts), one_cycle or reduce_on_plateau, optionally preceded by a linear warmup. Epoch-based
/// schedules follow torch.optim.lr_scheduler's closed forms evaluated once per epoch; one_cycle
/// and the warmup advance every step.
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
