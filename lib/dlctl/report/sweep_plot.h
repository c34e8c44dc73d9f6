#pragma once

#include <string>

#include "dlctl/report/leaderboard.h"

namespace dlctl {

/// `dlctl report --plot`: the ranking metric against each varied setting, one panel per setting:
/// every run a point, the best one marked, the mean per value a line. Numeric settings with at
/// least four values get a numeric axis (logarithmic when they span more than a decade and a
/// half); others are evenly spaced categories. Runs without the metric are left out and counted
/// in the subtitle. Without varied settings: the metric per run.
std::string sweep_svg(const Leaderboard& board);

}  // namespace dlctl
