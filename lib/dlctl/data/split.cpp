#include "dlctl/data/split.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>

#include "dlctl/core/error.h"
#include "dlctl/core/random.h"

namespace dlctl {

SplitIndices split_rows(std::size_t rows, const SplitSpec& split, std::uint64_t seed) {
    std::vector<std::uint32_t> order(rows);
    std::iota(order.begin(), order.end(), 0u);
    const auto n_test = static_cast<std::size_t>(std::llround(rows * split.test));
    const auto n_validation = static_cast<std::size_t>(std::llround(rows * split.validation));
    if (n_test + n_validation >= rows) {
        throw DataError(
            fmt::format("{} rows are too few for test = {} and validation = {}: no "
                        "training rows would remain",
                        rows, split.test, split.validation));
    }
    SplitIndices out;
    if (split.shuffle) {
        Rng rng(seed, RngStream::kSplit);
        for (std::size_t i = rows; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
        out.test.assign(order.begin(), order.begin() + n_test);
        out.validation.assign(order.begin() + n_test, order.begin() + n_test + n_validation);
        out.train.assign(order.begin() + n_test + n_validation, order.end());
    } else {
        const std::size_t n_train = rows - n_test - n_validation;
        out.train.assign(order.begin(), order.begin() + n_train);
        out.validation.assign(order.begin() + n_train, order.begin() + n_train + n_validation);
        out.test.assign(order.begin() + n_train + n_validation, order.end());
    }
    return out;
}

}  // namespace dlctl
