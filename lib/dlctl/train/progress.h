#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dlctl {

/// A Keras-like progress line on a terminal: "epoch 3/20 [=====>....] 12/40 - ETA 1.2s - loss
/// 0.4321", redrawn in place at most ten times a second and cleared at the end of each epoch
/// (when the trainer logs the epoch's summary line). Does nothing when disabled.
class ProgressLine {
  public:
    explicit ProgressLine(bool enabled) : enabled_(enabled) {}
    ~ProgressLine() { clear(); }

    /// Whether a redraw is due (so callers fetch the running loss only then).
    bool due() const;
    void draw(int epoch, int epochs, std::int64_t step, std::int64_t steps, double running_loss);
    void start_epoch();
    void clear();

  private:
    bool enabled_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point epoch_start_, last_draw_;
};

}  // namespace dlctl
