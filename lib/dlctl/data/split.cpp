#include "dlctl/data/split.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/core/random.h"

namespace dlctl {

namespace {

/// Appends the rows of `group` (already in split order) to the three splits: `n_test` rows to
/// test and `n_validation` to validation, at the start (shuffled) or the end (ordered data).
void assign(const std::vector<std::uint32_t>& group,
            std::size_t n_test,
            std::size_t n_validation,
            bool train_first,
            SplitIndices& out) {
    const std::size_t n = group.size();
    const std::size_t n_train = n - n_test - n_validation;
    auto at = [&](std::size_t i) { return group.begin() + static_cast<std::ptrdiff_t>(i); };
    if (train_first) {
        out.train.insert(out.train.end(), at(0), at(n_train));
        out.validation.insert(out.validation.end(), at(n_train), at(n_train + n_validation));
        out.test.insert(out.test.end(), at(n_train + n_validation), at(n));
    } else {
        out.test.insert(out.test.end(), at(0), at(n_test));
        out.validation.insert(out.validation.end(), at(n_test), at(n_test + n_validation));
        out.train.insert(out.train.end(), at(n_test + n_validation), at(n));
    }
}

/// Per-class shares of `total` rows, proportional to fraction · class size (largest remainders
/// get the rounding), never more than `available` rows of a class.
std::vector<std::size_t> quotas(const std::vector<std::size_t>& sizes,
                                const std::vector<std::size_t>& available,
                                double fraction,
                                std::size_t total) {
    std::vector<std::size_t> out(sizes.size());
    std::vector<std::pair<double, std::size_t>> remainders;
    std::size_t given = 0;
    for (std::size_t c = 0; c < sizes.size(); ++c) {
        const double exact = static_cast<double>(sizes[c]) * fraction;
        out[c] = std::min(available[c], static_cast<std::size_t>(std::floor(exact)));
        given += out[c];
        remainders.emplace_back(exact - std::floor(exact), c);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [remainder, c] : remainders) {
        if (given >= total) break;
        if (out[c] < available[c]) {
            ++out[c];
            ++given;
        }
    }
    return out;
}

void shuffle(std::vector<std::uint32_t>& rows, Rng& rng) {
    for (std::size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng.below(i)]);
}

/// Moves fold `cv.fold`'s rows of `out.train` (every non-test row) to `out.validation`.
/// Shuffled rows (grouped by class when stratified) are dealt in turn; unshuffled ones are cut
/// into consecutive blocks in file order, each class's separately when `labels` are given.
void take_fold(SplitIndices& out,
               const CvSpec& cv,
               bool shuffled,
               const std::vector<float>* labels) {
    const std::size_t n = out.train.size();
    const auto folds = static_cast<std::size_t>(cv.folds);
    if (n < folds) {
        throw DataError(fmt::format("{} rows outside the test split are too few for "
                                    "train.cv.folds = {}: each fold needs a row to validate on",
                                    n, cv.folds),
                        "lower train.cv.folds or data.split.test");
    }
    std::vector<std::uint32_t> rows = std::move(out.train);
    out.train.clear();
    const auto fold = static_cast<std::size_t>(cv.fold - 1);
    if (shuffled) {
        for (std::size_t j = 0; j < n; ++j) {
            (j % folds == fold ? out.validation : out.train).push_back(rows[j]);
        }
        return;
    }
    std::sort(rows.begin(), rows.end());
    std::vector<std::vector<std::uint32_t>> groups(1);
    for (const auto r : rows) {
        const auto c = labels != nullptr ? static_cast<std::size_t>((*labels)[r]) : 0;
        if (c >= groups.size()) groups.resize(c + 1);
        groups[c].push_back(r);
    }
    for (const auto& group : groups) {
        for (std::size_t j = 0; j < group.size(); ++j) {
            const bool validated = j * folds / group.size() == fold;
            (validated ? out.validation : out.train).push_back(group[j]);
        }
    }
}

}  // namespace

SplitIndices split_rows(std::size_t rows,
                        const SplitSpec& split,
                        std::uint64_t seed,
                        const std::vector<float>* labels,
                        const CvSpec& cv) {
    if (cv.folds > 0) {
        SplitSpec without_validation = split;
        without_validation.validation = 0.0;
        SplitIndices out = split_rows(rows, without_validation, seed, labels);
        if (cv.fold > 0) take_fold(out, cv, split.shuffle, labels);
        return out;
    }
    const auto n_test = static_cast<std::size_t>(std::llround(rows * split.test));
    const auto n_validation = static_cast<std::size_t>(std::llround(rows * split.validation));
    if (n_test + n_validation >= rows) {
        throw DataError(
            fmt::format("{} rows are too few for test = {} and validation = {}: no "
                        "training rows would remain",
                        rows, split.test, split.validation));
    }
    SplitIndices out;
    if (labels == nullptr) {
        std::vector<std::uint32_t> order(rows);
        std::iota(order.begin(), order.end(), 0u);
        if (split.shuffle) {
            Rng rng(seed, RngStream::kSplit);
            shuffle(order, rng);
        }
        assign(order, n_test, n_validation, !split.shuffle, out);
        return out;
    }
    // Stratified: each class split on its own (shuffled in its own substream); the split sizes
    // equal the unstratified ones and each class's share is within one row of its proportion.
    DLCTL_CHECK(labels->size() == rows);
    std::vector<std::vector<std::uint32_t>> by_class;
    for (std::uint32_t r = 0; r < rows; ++r) {
        const auto c = static_cast<std::size_t>((*labels)[r]);
        if (c >= by_class.size()) by_class.resize(c + 1);
        by_class[c].push_back(r);
    }
    std::vector<std::size_t> sizes;
    for (const auto& group : by_class) sizes.push_back(group.size());
    const auto test_quota = quotas(sizes, sizes, split.test, n_test);
    std::vector<std::size_t> left(sizes.size());
    for (std::size_t c = 0; c < sizes.size(); ++c) left[c] = sizes[c] - test_quota[c];
    const auto validation_quota = quotas(sizes, left, split.validation, n_validation);
    for (std::size_t c = 0; c < by_class.size(); ++c) {
        if (split.shuffle) {
            Rng rng(seed, RngStream::kSplit, c + 1);
            shuffle(by_class[c], rng);
        }
        assign(by_class[c], test_quota[c], validation_quota[c], !split.shuffle, out);
    }
    return out;
}

}  // namespace dlctl
