#pragma once

#include <cstdint>
#include <memory>

#include "dlctl/backend/backend.h"
#include "dlctl/data/dataset.h"
#include "dlctl/loss/loss.h"
#include "dlctl/nn/sequential.h"
#include "dlctl/optim/optimizer.h"

namespace dlctl::test {

/// A binary classifier for trainer tests, on a one-thread CPU backend: a tanh layer of `hidden`
/// units, then one sigmoid unit (glorot weights, seed 5), binary cross-entropy, Adam with lr 0.01.
struct SmallNetwork {
    std::unique_ptr<Backend> backend;  ///< first: destroyed after what lives in its memory
    std::unique_ptr<Sequential> model;
    std::unique_ptr<Loss> loss;
    std::unique_ptr<Optimizer> optimizer;
};

SmallNetwork small_binary_network(std::int64_t inputs, int hidden);

/// `rows` rows of three features in [-1, 1]; label 1 when their noisy sum is positive; weights
/// 0.5 to 2 (the same rows every call).
Dataset weighted_binary_rows(std::int64_t rows);

}  // namespace dlctl::test
