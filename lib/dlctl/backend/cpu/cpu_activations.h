#pragma once

#include "dlctl/backend/activation.h"
#include "dlctl/core/tensor.h"

namespace dlctl::cpu {

/// a = act(z), elementwise (softmax: over each column). `a` may alias `z` except for kLinear
/// where aliasing makes it a no-op.
void activation_forward(Activation act, const Tensor& z, Tensor a);

/// dz = da ⊙ act'(z), or for softmax the Jacobian-vector product a ⊙ (da - Σ da ⊙ a) per column.
/// `dz` may alias `da`.
void activation_backward(
    Activation act, const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz);

}  // namespace dlctl::cpu
