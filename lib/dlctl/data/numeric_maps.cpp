#include "dlctl/data/numeric_maps.h"

#include <algorithm>
#include <cmath>

namespace dlctl {

double standard_normal_quantile(double p) {
    // Acklam's rational approximation (relative error 1.15e-9), then one Halley step on erfc.
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    constexpr double kLow = 0.02425;
    double x = 0.0;
    if (p < kLow || p > 1.0 - kLow) {
        const double q = std::sqrt(-2.0 * std::log(std::min(p, 1.0 - p)));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
        if (p > 1.0 - kLow) x = -x;
    } else {
        const double q = p - 0.5;
        const double r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
    const double u = e * std::sqrt(2.0 * M_PI) * std::exp(x * x / 2.0);
    return x - u / (1.0 + x * u / 2.0);
}

double sorted_quantile(const std::vector<double>& sorted, double q) {
    const double position = q * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] +
           (sorted[above] - sorted[below]) * (position - static_cast<double>(below));
}

std::vector<double> rank_knots(const std::vector<double>& sorted, std::size_t count) {
    std::vector<double> knots;
    if (sorted.empty() || count == 0) return knots;
    count = std::min(count, sorted.size());
    knots.reserve(count);
    for (std::size_t k = 0; k < count; ++k) {
        const double q = count == 1 ? 0.0 : static_cast<double>(k) / static_cast<double>(count - 1);
        knots.push_back(sorted_quantile(sorted, q));
    }
    return knots;
}

double rank_of(const std::vector<double>& knots, double x) {
    const std::size_t n = knots.size();
    if (n < 2) return 0.5;
    if (x < knots.front()) return 0.0;
    if (x > knots.back()) return 1.0;
    const auto lo =
        static_cast<std::size_t>(std::lower_bound(knots.begin(), knots.end(), x) - knots.begin());
    const auto hi =
        static_cast<std::size_t>(std::upper_bound(knots.begin(), knots.end(), x) - knots.begin());
    const double last = static_cast<double>(n - 1);
    if (lo < hi) return (static_cast<double>(lo + hi - 1) / 2.0) / last;  // x is a knot
    const double t = (x - knots[lo - 1]) / (knots[lo] - knots[lo - 1]);
    return (static_cast<double>(lo - 1) + t) / last;
}

double quantile_normal(const std::vector<double>& knots, double x) {
    constexpr double kBound = 1e-7;
    return standard_normal_quantile(std::clamp(rank_of(knots, x), kBound, 1.0 - kBound));
}

}  // namespace dlctl
