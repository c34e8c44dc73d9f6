#pragma once

#include <cmath>
#include <vector>

namespace dlctl {

/// Φ⁻¹(p), the standard normal quantile, for 0 < p < 1 (relative error below 1e-12: a rational
/// first guess refined by one Halley step).
double standard_normal_quantile(double p);

/// The q-quantile (0..1) of sorted values, linearly interpolated (numpy's default).
double sorted_quantile(const std::vector<double>& sorted, double q);

/// The sorted training values at `count` evenly spaced ranks (numpy's linear interpolation), the
/// knots of a quantile transform.
std::vector<double> rank_knots(const std::vector<double>& sorted, std::size_t count);

/// Where `x` falls among `knots` as a rank in [0, 1]: linear between knots, the middle of a run
/// of equal knots (so a value that repeats maps to the middle of its ranks), 0 below and 1
/// above. As scikit-learn's QuantileTransformer ranks, but for runs at either end: scikit-learn
/// pins those to rank 0 or 1 (a column that is half zeros sends its zeros to -5.2), here they
/// take the middle of their run too (-0.67), and a constant column maps to 0.
double rank_of(const std::vector<double>& knots, double x);

/// A quantile transform to a standard normal: Φ⁻¹ of the rank, clipped to [1e-7, 1 - 1e-7] as
/// scikit-learn clips it (so outputs stay within ±5.2).
double quantile_normal(const std::vector<double>& knots, double x);

/// z / √(1 + (z/3)²): the identity near 0, bounded by ±3 (RealMLP's smooth clipping).
inline double smooth_clip(double z) { return z / std::sqrt(1.0 + z * z / 9.0); }

}  // namespace dlctl
