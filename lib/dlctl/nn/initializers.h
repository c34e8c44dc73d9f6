#pragma once

#include <cstdint>
#include <string>

#include "dlctl/core/random.h"

namespace dlctl {

/// Fills `count` weights of a fan_in → fan_out layer with the named scheme (glorot_uniform,
/// glorot_normal, he_uniform, he_normal, lecun_normal, zeros, ones). Throws UsageError for other
/// names.
void initialize_weights(const std::string& scheme,
                        std::int64_t fan_in,
                        std::int64_t fan_out,
                        Rng& rng,
                        float* weights,
                        std::int64_t count);

}  // namespace dlctl
