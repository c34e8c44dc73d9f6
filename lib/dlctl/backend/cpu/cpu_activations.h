#pragma once

#include <cstdint>

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

/// Backend::parametric_activation_forward and _backward on rows [first_row, last_row) of every
/// column: threads may share a call by rows, and each row's sum adds its columns in order.
void parametric_activation_forward(Activation act,
                                   const Tensor& x,
                                   const Tensor& mix,
                                   Tensor a,
                                   Tensor out,
                                   std::int64_t first_row,
                                   std::int64_t last_row);
void parametric_activation_backward(Activation act,
                                    const Tensor& x,
                                    const Tensor& a,
                                    const Tensor& mix,
                                    const Tensor& dy,
                                    Tensor dx,
                                    Tensor mix_grad,
                                    std::int64_t first_row,
                                    std::int64_t last_row);

/// out[i] = v[i] · scale where y[i] > 0, else +0 (whatever v[i] is): relu's gradient (scale 1)
/// and that of relu followed by dropout. Branch-free, so that it vectorises: which elements are
/// positive is random enough for a branch to mispredict often (Eigen 3.4's select branches).
/// out may alias v.
void pass_where_positive(const float* y, const float* v, float scale, float* out, std::int64_t n);

}  // namespace dlctl::cpu
