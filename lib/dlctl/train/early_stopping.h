#pragma once

#include "dlctl/config/spec.h"
#include "dlctl/core/training_state.h"

namespace dlctl {

/// Tracks the best value of a monitored metric (Keras EarlyStopping semantics): an epoch improves
/// when it beats the best by more than min_delta; training stops after `patience` epochs without
/// improvement.
class EarlyStopping {
  public:
    explicit EarlyStopping(const EarlyStoppingSpec& spec);

    /// Records the epoch's monitored value; true when it is a new best.
    bool update(int epoch, double value);
    bool should_stop() const { return spec_.enabled && wait_ > 0 && wait_ >= spec_.patience; }
    int best_epoch() const { return best_epoch_; }  ///< 0 before the first update
    double best_value() const { return best_; }

    MonitorState state() const { return {best_, best_epoch_, wait_}; }
    void restore(const MonitorState& state) {
        best_ = state.best;
        best_epoch_ = state.best_epoch;
        wait_ = state.wait;
    }

  private:
    EarlyStoppingSpec spec_;
    double best_ = 0.0;
    int best_epoch_ = 0;
    int wait_ = 0;
};

}  // namespace dlctl
