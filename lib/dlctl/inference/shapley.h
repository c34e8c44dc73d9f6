#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace dlctl {

/// Which players take part: one flag per player, 1 = present.
using Coalition = std::vector<char>;

/// The value of each coalition, in order; called with batches of coalitions so that a model can
/// score them in one pass.
using CoalitionValues = std::function<std::vector<double>(const std::vector<Coalition>&)>;

struct ShapleyOptions {
    /// Up to this many players (20 at most) the values are exact: every one of the 2^n
    /// coalitions.
    std::size_t exact_max_players = 10;
    /// Beyond it: permutations sampled, in antithetic pairs (a permutation and its reverse), so
    /// rounded up to an even number, at least 2.
    int samples = 64;
    std::uint64_t seed = 0;
    std::uint64_t substream = 0;  ///< independent draws per explained row
};

/// Each player's Shapley value, and the values the efficiency property ties them to: the values
/// sum to full − empty (exactly for both methods, up to rounding).
struct ShapleyValues {
    std::vector<double> values;
    double empty = 0.0;  ///< v(no player)
    double full = 0.0;   ///< v(every player)
    bool exact = true;
    int permutations = 0;  ///< sampled permutations (0 when exact)
};

/// Whether shapley_values computes `players` players' values exactly.
bool shapley_is_exact(std::size_t players, const ShapleyOptions& options);
/// The permutations shapley_values samples when it does not compute exactly.
int shapley_permutations(const ShapleyOptions& options);

/// Shapley values of `players` players under `value`: exact over every coalition (weights
/// |S|! (n − |S| − 1)! / n!) up to options.exact_max_players, else the mean marginal
/// contribution over sampled permutations (Štrumbelj & Kononenko 2014), which keeps efficiency
/// exact since each permutation's contributions add up to full − empty.
ShapleyValues shapley_values(std::size_t players,
                             const CoalitionValues& value,
                             const ShapleyOptions& options);

}  // namespace dlctl
