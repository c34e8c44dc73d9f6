#include "dlctl/inference/temperature_scaling.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

/// log(1 + e^x) without overflow.
double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }

/// log Σ e^v over `values`.
double log_sum_exp(const std::vector<double>& values) {
    const double top = *std::max_element(values.begin(), values.end());
    if (!std::isfinite(top)) return top;
    double sum = 0.0;
    for (const double v : values) sum += std::exp(v - top);
    return top + std::log(sum);
}

std::size_t width_of(const LabelledLogits& d) {
    return static_cast<std::size_t>(std::max(d.classes, 1));
}

void check(const LabelledLogits& d) {
    DLCTL_CHECK(d.rows >= 0 && d.members >= 1 && d.classes >= 1);
    DLCTL_CHECK(d.logits.size() == static_cast<std::size_t>(d.rows * d.members) * width_of(d));
    DLCTL_CHECK(d.targets.size() == static_cast<std::size_t>(d.rows));
}

}  // namespace

std::vector<float> tempered_probabilities(const LabelledLogits& d, double temperature) {
    check(d);
    const std::size_t k = width_of(d);
    const auto members = static_cast<std::size_t>(d.members);
    std::vector<float> out(static_cast<std::size_t>(d.rows) * k, 0.0f);
    std::vector<double> p(k);
    for (std::size_t r = 0; r < static_cast<std::size_t>(d.rows); ++r) {
        std::fill(p.begin(), p.end(), 0.0);
        for (std::size_t m = 0; m < members; ++m) {
            const float* z = d.logits.data() + (r * members + m) * k;
            if (d.classes == 1) {
                p[0] += 1.0 / (1.0 + std::exp(-z[0] / temperature));
                continue;
            }
            const double top = *std::max_element(z, z + k) / temperature;
            double sum = 0.0;
            for (std::size_t c = 0; c < k; ++c) sum += std::exp(z[c] / temperature - top);
            for (std::size_t c = 0; c < k; ++c) p[c] += std::exp(z[c] / temperature - top) / sum;
        }
        for (std::size_t c = 0; c < k; ++c) {
            out[r * k + c] = static_cast<float>(p[c] / static_cast<double>(members));
        }
    }
    return out;
}

double tempered_nll(const LabelledLogits& d, double temperature) {
    check(d);
    DLCTL_CHECK(d.rows > 0 && temperature > 0.0);
    const std::size_t k = width_of(d);
    const auto members = static_cast<std::size_t>(d.members);
    std::vector<double> member_log_p(members), scaled(k);
    double total = 0.0;
    for (std::size_t r = 0; r < static_cast<std::size_t>(d.rows); ++r) {
        const auto y = static_cast<std::size_t>(d.targets[r]);
        for (std::size_t m = 0; m < members; ++m) {
            const float* z = d.logits.data() + (r * members + m) * k;
            if (d.classes == 1) {  // log σ(s) = −softplus(−s), log(1 − σ(s)) = −softplus(s)
                const double s = z[0] / temperature;
                member_log_p[m] = -softplus(y == 1 ? -s : s);
                continue;
            }
            for (std::size_t c = 0; c < k; ++c) scaled[c] = z[c] / temperature;
            member_log_p[m] = scaled[y] - log_sum_exp(scaled);
        }
        // log of the members' mean probability.
        total -= log_sum_exp(member_log_p) - std::log(static_cast<double>(members));
    }
    return total / static_cast<double>(d.rows);
}

double fit_temperature(const LabelledLogits& d) {
    const auto nll = [&d](double log_t) { return tempered_nll(d, std::exp(log_t)); };
    double best_log_t = 0.0, best = nll(0.0);
    const auto consider = [&](double log_t, double value) {
        if (value < best) {
            best = value;
            best_log_t = log_t;
        }
    };
    // The grid: the NLL is smooth in log T, and for one member convex in 1/T, so its best
    // point brackets the minimum; the grid guards against a flat or non-convex ensemble.
    constexpr double kStep = 0.125;
    const int steps =
        static_cast<int>(std::lround((kMaxLogTemperature - kMinLogTemperature) / kStep));
    for (int i = 0; i <= steps; ++i) {
        const double log_t = kMinLogTemperature + i * kStep;
        consider(log_t, nll(log_t));
    }
    // Golden-section search in the grid cells on either side of the best point.
    double lo = std::max(kMinLogTemperature, best_log_t - kStep);
    double hi = std::min(kMaxLogTemperature, best_log_t + kStep);
    const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
    double a = hi - ratio * (hi - lo), b = lo + ratio * (hi - lo);
    double fa = nll(a), fb = nll(b);
    consider(a, fa);
    consider(b, fb);
    while (hi - lo > 1e-7) {
        if (fa <= fb) {
            hi = b;
            b = a;
            fb = fa;
            a = hi - ratio * (hi - lo);
            fa = nll(a);
            consider(a, fa);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + ratio * (hi - lo);
            fb = nll(b);
            consider(b, fb);
        }
    }
    return std::exp(best_log_t);
}

}  // namespace dlctl
