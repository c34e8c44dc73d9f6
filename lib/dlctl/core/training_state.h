#pragma once

#include <cstdint>

namespace dlctl {

/// Progress of a monitored metric (early stopping, best checkpoint): the best value so far, the
/// epoch it was reached (0: none yet) and the epochs since.
struct MonitorState {
    double best = 0.0;
    int best_epoch = 0;
    int wait = 0;
};

/// reduce_on_plateau's state; the other schedules are closed forms of epoch and step.
struct ScheduleState {
    double plateau_lr = 0.0;
    double best = 0.0;
    int bad_epochs = 0;
    int cooldown_left = 0;
};

/// Everything besides tensors that a resumed run needs to continue exactly where training
/// stopped. Randomness is counter-based (Philox keyed by the seed), so the global step and the
/// epoch are the whole RNG state: shuffles are drawn per epoch, dropout masks per step.
struct TrainerState {
    int epoch = 0;                    ///< completed epochs
    std::uint64_t global_step = 0;    ///< optimizer steps taken
    std::int64_t optimizer_step = 1;  ///< 1-based count of the next update (bias corrections)
    MonitorState early_stopping;
    MonitorState checkpoint_best;  ///< the monitor of checkpoints/best.safetensors
    ScheduleState schedule;
};

}  // namespace dlctl
