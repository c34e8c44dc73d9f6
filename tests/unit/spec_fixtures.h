#pragma once

#include <string>

namespace dlctl::test {

/// A small valid spec; tests edit it or override keys to make one thing wrong at a time.
/// Line numbers matter: tests assert locations in it.
inline const std::string kValidSpec = R"(name: unit
seed: 7
data:
  path: data.csv
  target: y
  split: {test: 0.2, validation: 0.1}
model:
  layers:
    - {type: dense, units: 8, activation: relu}
    - {type: dropout, rate: 0.5}
    - {type: dense, units: 1, activation: sigmoid}
train:
  epochs: 3
  batch_size: 4
  loss: binary_crossentropy
  optimizer: {type: sgd, lr: 0.1}
)";

}  // namespace dlctl::test
