#include "dlctl/inference/shapley.h"

#include <algorithm>
#include <bit>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/core/random.h"

namespace dlctl {

namespace {

/// 2^20 coalitions at most, however many are asked for.
constexpr std::size_t kMaxExactPlayers = 20;

/// Every coalition of `players` players, coalition m holding player i when bit i of m is set.
ShapleyValues exact_values(std::size_t players, const CoalitionValues& value) {
    const std::size_t count = std::size_t{1} << players;
    std::vector<Coalition> coalitions(count, Coalition(players, 0));
    for (std::size_t m = 0; m < count; ++m) {
        for (std::size_t i = 0; i < players; ++i) coalitions[m][i] = (m >> i) & 1u;
    }
    const std::vector<double> v = value(coalitions);
    DLCTL_CHECK(v.size() == count);
    // weight[s] = s! (n − s − 1)! / n! = 1 / (n · C(n − 1, s)).
    const auto n = static_cast<double>(players);
    std::vector<double> weight(players, 0.0);
    double binomial = 1.0;  // C(n − 1, s)
    for (std::size_t s = 0; s < players; ++s) {
        weight[s] = 1.0 / (n * binomial);
        binomial = binomial * (n - 1.0 - static_cast<double>(s)) / (static_cast<double>(s) + 1.0);
    }
    ShapleyValues out;
    out.values.assign(players, 0.0);
    out.empty = v.front();
    out.full = v.back();
    for (std::size_t m = 0; m < count; ++m) {
        const auto size = static_cast<std::size_t>(std::popcount(m));
        for (std::size_t i = 0; i < players; ++i) {
            if ((m >> i) & 1u) continue;
            out.values[i] += weight[size] * (v[m | (std::size_t{1} << i)] - v[m]);
        }
    }
    return out;
}

/// A uniformly random order of 0..n-1 (Fisher-Yates).
std::vector<std::size_t> random_order(std::size_t n, Rng& rng) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    return order;
}

/// The mean marginal contribution of each player over sampled permutations and their reverses.
ShapleyValues sampled_values(std::size_t players,
                             const CoalitionValues& value,
                             const ShapleyOptions& options) {
    const int pairs = shapley_permutations(options) / 2;
    Rng rng(options.seed, RngStream::kExplain, options.substream);
    std::vector<std::vector<std::size_t>> orders;
    for (int p = 0; p < pairs; ++p) {
        orders.push_back(random_order(players, rng));
        orders.emplace_back(orders.back().rbegin(), orders.back().rend());
    }
    // The empty and the full coalition, then each order's proper, non-empty prefixes.
    std::vector<Coalition> coalitions{Coalition(players, 0), Coalition(players, 1)};
    for (const auto& order : orders) {
        Coalition prefix(players, 0);
        for (std::size_t k = 0; k + 1 < players; ++k) {
            prefix[order[k]] = 1;
            coalitions.push_back(prefix);
        }
    }
    const std::vector<double> v = value(coalitions);
    DLCTL_CHECK(v.size() == coalitions.size());
    ShapleyValues out;
    out.values.assign(players, 0.0);
    out.empty = v[0];
    out.full = v[1];
    out.exact = false;
    out.permutations = static_cast<int>(orders.size());
    std::size_t next = 2;
    for (const auto& order : orders) {
        double before = out.empty;
        for (std::size_t k = 0; k < players; ++k) {
            const double after = k + 1 < players ? v[next++] : out.full;
            out.values[order[k]] += after - before;
            before = after;
        }
    }
    for (double& phi : out.values) phi /= static_cast<double>(orders.size());
    return out;
}

}  // namespace

bool shapley_is_exact(std::size_t players, const ShapleyOptions& options) {
    return players <= std::min(options.exact_max_players, kMaxExactPlayers);
}

int shapley_permutations(const ShapleyOptions& options) {
    return 2 * std::max(1, (options.samples + 1) / 2);
}

ShapleyValues shapley_values(std::size_t players,
                             const CoalitionValues& value,
                             const ShapleyOptions& options) {
    DLCTL_CHECK(players > 0);
    if (shapley_is_exact(players, options)) return exact_values(players, value);
    return sampled_values(players, value, options);
}

}  // namespace dlctl
