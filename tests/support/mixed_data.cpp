#include "support/mixed_data.h"

#include "dlctl/core/random.h"

namespace dlctl::test {

std::string mixed_csv(int rows) {
    std::string text = "x,flag,colour,w,label\n";
    Rng rng(7, RngStream::kInit);
    const char* colours[] = {"red", "green", "blue", "teal"};
    for (int r = 0; r < rows; ++r) {
        const double x = rng.uniform() * 10 - 3;
        const bool gap = rng.uniform() < 0.1;
        const std::string colour =
            rng.uniform() < 0.05 ? "" : colours[r % 97 == 0 ? 3 : rng.below(3)];
        text += (gap ? std::string("NA") : std::to_string(x)) + "," +
                (rng.uniform() < 0.5 ? "yes" : "no") + "," + colour + "," +
                std::to_string(0.5 + rng.uniform()) + "," + std::to_string(rng.below(3)) + "\n";
    }
    return text;
}

DataSpec mixed_spec(const std::filesystem::path& csv, const std::filesystem::path& cache) {
    DataSpec spec;
    spec.path = csv.string();
    spec.target = "label";
    spec.sample_weight = "w";
    spec.cache = false;
    spec.cache_dir = cache.string();
    spec.missing.numeric = "median";
    spec.missing.categorical = "missing_category";
    spec.max_categories = 3;
    spec.split = {0.2, 0.1, true};
    return spec;
}

}  // namespace dlctl::test
