#include "dlctl/plot/axis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace dlctl::plot {

namespace {

constexpr int kTargetTicks = 5;

/// The 1, 2 or 5 times a power of ten nearest above span / ticks.
double nice_step(double span) {
    const double raw = span / kTargetTicks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0}) {
        if (m * magnitude >= raw * 0.999) return m * magnitude;
    }
    return 10.0 * magnitude;
}

}  // namespace

Axis Axis::linear(double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        lo = 0.0;
        hi = 1.0;
    }
    if (lo > hi) std::swap(lo, hi);
    if (hi - lo <= 1e-12 * std::max(1.0, std::abs(hi))) {
        const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    const double step = nice_step(hi - lo);
    return Axis(std::floor(lo / step + 1e-9) * step, std::ceil(hi / step - 1e-9) * step, step,
                false);
}

Axis Axis::logarithmic(double lo, double hi) {
    if (!(lo > 0.0) || !(hi > 0.0) || !std::isfinite(lo) || !std::isfinite(hi)) {
        lo = 0.1;
        hi = 1.0;
    }
    if (lo > hi) std::swap(lo, hi);
    double low = std::floor(std::log10(lo) + 1e-9);
    double high = std::ceil(std::log10(hi) - 1e-9);
    if (high <= low) high = low + 1.0;
    const double decades = high - low;
    return Axis(low, high, std::max(1.0, std::ceil(decades / kTargetTicks)), true);
}

double Axis::fraction(double value) const {
    const double v = log_ ? std::log10(value) : value;
    return (v - lo_) / (hi_ - lo_);
}

std::vector<double> Axis::ticks() const {
    std::vector<double> out;
    const auto n = static_cast<int>(std::llround((hi_ - lo_) / step_));
    for (int i = 0; i <= n; ++i) {
        const double t = lo_ + i * step_;
        out.push_back(log_ ? std::pow(10.0, t) : t);
    }
    return out;
}

std::string Axis::label(double tick) const {
    if (log_) return fmt::format("{:g}", tick);
    if (std::abs(tick) < step_ * 1e-6) return "0";
    const double largest = std::max(std::abs(lo_), std::abs(hi_));
    if (largest >= 1e6 || step_ < 1e-4) return fmt::format("{:.3g}", tick);
    const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step_) + 1e-9)));
    return fmt::format("{:.{}f}", tick, decimals);
}

}  // namespace dlctl::plot
