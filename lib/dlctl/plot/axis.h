#pragma once

#include <string>
#include <vector>

namespace dlctl::plot {

/// Maps data values onto one axis of a chart and chooses its tick marks: linear axes get
/// 1-2-5 steps and bounds rounded outwards to a step; logarithmic ones whole decades.
class Axis {
  public:
    /// Covers [lo, hi]; an empty or non-finite range becomes a small one around it (or [0, 1]).
    static Axis linear(double lo, double hi);
    /// Covers [lo, hi] of positive values in log10 space.
    static Axis logarithmic(double lo, double hi);

    /// The position of `value` between the axis' ends: 0 at the low end, 1 at the high end.
    double fraction(double value) const;
    std::vector<double> ticks() const;
    /// The text of a tick: as many decimals as the step needs, or scientific for extremes.
    std::string label(double tick) const;
    double low() const { return lo_; }
    double high() const { return hi_; }
    bool is_log() const { return log_; }

  private:
    Axis(double lo, double hi, double step, bool log) : lo_(lo), hi_(hi), step_(step), log_(log) {}

    double lo_;
    double hi_;
    double step_;  ///< linear: between ticks; log: decades between ticks
    bool log_;
};

}  // namespace dlctl::plot
