#pragma once

#include <cstdint>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/core/random.h"
#include "dlctl/nn/sequential.h"

namespace dlctl {

/// RealMLP's data-dependent start (model.data_init), layer by layer on `sample` (inputs × rows,
/// backend memory) as the layers before transform it: each plain dense layer's weights are
/// scaled so that every unit's pre-activation has standard deviation 1 on the sample, and its
/// bias is set to minus a random convex combination (Dirichlet(1, ..., 1) weights) of 5 sampled
/// rows' pre-activations, so that each unit's kink lies among the data ("std" and "he+5" in
/// Holzmüller et al. 2024). A unit whose pre-activations are constant keeps its weights.
void initialize_from_data(Backend& backend,
                          const Sequential& model,
                          const Tensor& sample,
                          Rng& rng);

/// Up to `max_rows` of the rows 0..n_rows-1, drawn without replacement: the rows sample_rows
/// takes with the same `rng`.
std::vector<std::int64_t> sample_row_indices(std::int64_t n_rows, std::int64_t max_rows, Rng& rng);

/// Up to `max_rows` rows of `features` (n_features × n_rows, column-major), drawn without
/// replacement, in the same layout: the sample initialize_from_data reads.
std::vector<float> sample_rows(const std::vector<float>& features,
                               std::int64_t n_features,
                               std::int64_t n_rows,
                               std::int64_t max_rows,
                               Rng& rng);

}  // namespace dlctl
