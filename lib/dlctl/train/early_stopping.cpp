#include "dlctl/train/early_stopping.h"

#include <cmath>
#include <limits>

#include "dlctl/config/vocabulary.h"

namespace dlctl {

EarlyStopping::EarlyStopping(const EarlyStoppingSpec& spec) : spec_(spec) {
    if (spec_.mode == "auto") spec_.mode = vocabulary::monitor_mode(spec_.monitor);
    best_ = spec_.mode == "max" ? -std::numeric_limits<double>::infinity()
                                : std::numeric_limits<double>::infinity();
}

bool EarlyStopping::update(int epoch, double value) {
    if (std::isnan(value)) return false;
    const bool improved =
        spec_.mode == "max" ? value > best_ + spec_.min_delta : value < best_ - spec_.min_delta;
    if (improved || best_epoch_ == 0) {
        best_ = value;
        best_epoch_ = epoch;
        wait_ = 0;
        return true;
    }
    ++wait_;
    return false;
}

}  // namespace dlctl
