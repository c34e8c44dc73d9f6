#include "dlctl/nn/initializers.h"

#include <cmath>

#include "dlctl/core/error.h"

namespace dlctl {

void initialize_weights(const std::string& scheme,
                        std::int64_t fan_in,
                        std::int64_t fan_out,
                        Rng& rng,
                        float* weights,
                        std::int64_t count) {
    const double in = static_cast<double>(fan_in);
    const double out = static_cast<double>(fan_out);
    auto uniform = [&](double limit) {
        for (std::int64_t i = 0; i < count; ++i) {
            weights[i] = static_cast<float>((2.0 * rng.uniform() - 1.0) * limit);
        }
    };
    auto normal = [&](double stddev) {
        for (std::int64_t i = 0; i < count; ++i) {
            weights[i] = static_cast<float>(rng.normal() * stddev);
        }
    };
    if (scheme == "glorot_uniform") {
        uniform(std::sqrt(6.0 / (in + out)));
    } else if (scheme == "glorot_normal") {
        normal(std::sqrt(2.0 / (in + out)));
    } else if (scheme == "he_uniform") {
        uniform(std::sqrt(6.0 / in));
    } else if (scheme == "he_normal") {
        normal(std::sqrt(2.0 / in));
    } else if (scheme == "lecun_normal") {
        normal(std::sqrt(1.0 / in));
    } else if (scheme == "zeros" || scheme == "ones") {
        const float value = scheme == "ones" ? 1.0f : 0.0f;
        for (std::int64_t i = 0; i < count; ++i) weights[i] = value;
    } else {
        throw UsageError("unknown initializer '" + scheme + "'",
                         "supported: glorot_uniform, glorot_normal, he_uniform, he_normal, "
                         "lecun_normal, zeros, ones");
    }
}

}  // namespace dlctl
