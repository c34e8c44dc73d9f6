#include "dlctl/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "dlctl/config/vocabulary.h"

namespace dlctl {

namespace {

/// Cosine interpolation from `start` (pct 0) to `end` (pct 1).
double cosine(double start, double end, double pct) {
    return end + (start - end) / 2.0 * (1.0 + std::cos(std::numbers::pi * pct));
}

}  // namespace

double schedule_factor(const std::string& type, double progress) {
    if (type != "flat_cos" || progress < 0.5) return 1.0;
    return 0.5 * (1.0 + std::cos(std::numbers::pi * std::min(2.0 * progress - 1.0, 1.0)));
}

LearningRateSchedule::LearningRateSchedule(const ScheduleSpec& spec,
                                           double base_lr,
                                           int epochs,
                                           std::int64_t steps_per_epoch)
    : spec_(spec),
      base_lr_(base_lr),
      epochs_(epochs),
      steps_per_epoch_(std::max<std::int64_t>(steps_per_epoch, 1)),
      plateau_lr_(base_lr) {
    if (spec_.mode == "auto") spec_.mode = vocabulary::monitor_mode(spec_.monitor);
    if (spec_.type == "one_cycle" && spec_.max_lr == 0.0) spec_.max_lr = base_lr;
    best_ = spec_.mode == "max" ? -std::numeric_limits<double>::infinity()
                                : std::numeric_limits<double>::infinity();
}

double LearningRateSchedule::scheduled(int epoch, std::int64_t global_step) const {
    const std::string& type = spec_.type;
    if (type == "step") return base_lr_ * std::pow(spec_.gamma, epoch / spec_.step_size);
    if (type == "exponential") return base_lr_ * std::pow(spec_.gamma, epoch);
    if (type == "reduce_on_plateau") return plateau_lr_;
    if (type == "cosine") {
        double t_cur = epoch;
        double t_i = spec_.t_max > 0 ? spec_.t_max : epochs_;
        if (spec_.restart_period > 0) {  // SGDR (CosineAnnealingWarmRestarts)
            const double t0 = spec_.restart_period, mult = spec_.restart_mult;
            if (mult == 1.0) {
                t_cur = std::fmod(epoch, t0);
                t_i = t0;
            } else {
                const double n =
                    std::floor(std::log(epoch / t0 * (mult - 1.0) + 1.0) / std::log(mult));
                t_cur = epoch - t0 * (std::pow(mult, n) - 1.0) / (mult - 1.0);
                t_i = t0 * std::pow(mult, n);
            }
        }
        return cosine(base_lr_, spec_.eta_min, t_cur / t_i);
    }
    if (type == "coslog" || type == "flat_cos") {
        const double total = static_cast<double>(epochs_) * static_cast<double>(steps_per_epoch_);
        const double t = std::min(static_cast<double>(global_step) / total, 1.0);
        if (type == "flat_cos") return base_lr_ * schedule_factor("flat_cos", t);
        // RealMLP's coslog: cycles from 0 up to lr and back, each twice as long as the last.
        const double cycles = std::pow(2.0, spec_.cycles) - 1.0;
        return base_lr_ * 0.5 *
               (1.0 - std::cos(2.0 * std::numbers::pi * std::log2(1.0 + cycles * t)));
    }
    if (type == "one_cycle") {  // OneCycleLR, two phases, cosine annealing
        const double total = static_cast<double>(epochs_) * static_cast<double>(steps_per_epoch_);
        const double initial = spec_.max_lr / spec_.div_factor;
        const double final_lr = initial / spec_.final_div_factor;
        const double peak_step = spec_.pct_start * total - 1.0;
        const double end_step = total - 1.0;
        const double t = static_cast<double>(global_step);
        if (t <= peak_step)
            return cosine(initial, spec_.max_lr, peak_step > 0 ? t / peak_step : 1.0);
        return cosine(spec_.max_lr, final_lr,
                      end_step > peak_step ? (t - peak_step) / (end_step - peak_step) : 1.0);
    }
    return base_lr_;
}

double LearningRateSchedule::at(int epoch, std::int64_t step) const {
    const std::int64_t global_step = static_cast<std::int64_t>(epoch) * steps_per_epoch_ + step;
    double lr = scheduled(epoch, global_step);
    const double warmup_steps = spec_.warmup_epochs * static_cast<double>(steps_per_epoch_);
    if (warmup_steps > 0.0 && static_cast<double>(global_step) < warmup_steps) {
        const double progress = static_cast<double>(global_step) / warmup_steps;
        lr *= spec_.warmup_start_factor + (1.0 - spec_.warmup_start_factor) * progress;
    }
    return lr;
}

void LearningRateSchedule::end_epoch(double monitored) {
    if (spec_.type != "reduce_on_plateau" || std::isnan(monitored)) return;
    // ReduceLROnPlateau with threshold_mode 'rel'.
    const bool better = spec_.mode == "max" ? monitored > best_ * (1.0 + spec_.threshold)
                                            : monitored < best_ * (1.0 - spec_.threshold);
    if (better || std::isinf(best_)) {
        best_ = monitored;
        bad_epochs_ = 0;
    } else {
        ++bad_epochs_;
    }
    if (cooldown_left_ > 0) {
        --cooldown_left_;
        bad_epochs_ = 0;
    }
    if (bad_epochs_ > spec_.patience) {
        const double reduced = std::max(plateau_lr_ * spec_.factor, spec_.min_lr);
        if (plateau_lr_ - reduced > 1e-8) plateau_lr_ = reduced;  // torch's eps
        cooldown_left_ = spec_.cooldown;
        bad_epochs_ = 0;
    }
}

}  // namespace dlctl
