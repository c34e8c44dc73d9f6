#include <omp.h>

#include <cmath>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_parallel.h"
#include "dlctl/core/error.h"

namespace dlctl {

void CpuBackend::set_parameter_layout(const std::vector<Tensor>& tensors) {
    parameter_layout_.clear();
    parameter_layout_floats_ = 0;
    std::int64_t offset = 0;
    for (const Tensor& t : tensors) {
        // Only a gapless tiling in order is a layout; anything else updates the buffer whole.
        if (t.data != tensors.front().data + offset) {
            parameter_layout_.clear();
            return;
        }
        parameter_layout_.push_back({offset, t.rows, t.cols});
        offset += t.size();
    }
    parameter_layout_floats_ = offset;
}

void CpuBackend::optimizer_update(const OptimizerStep& s,
                                  Tensor params,
                                  const Tensor& grads,
                                  Tensor state0,
                                  Tensor state1,
                                  Tensor state2) {
    DLCTL_CHECK(params.size() == grads.size());
    const std::int64_t n = params.size();
    float* p = params.data;
    const float* grad = grads.data;
    const float wd = s.weight_decay;
    const int threads = cpu::threads_for(n, threads_);
    const bool by_layout = threads > 1 && parameter_layout_floats_ == n;
    // Runs update(first, last), a kind's loop over elements [first, last), over the buffer. The
    // arithmetic is elementwise, so how the buffer is split between threads changes no result.
    const auto apply = [&](const auto& update) {
        if (!by_layout) {
            cpu::for_each_part(n, 1024, threads, [&](std::int64_t first, std::int64_t last, int) {
                update(first, last);
            });
            return;
        }
        // Each thread updates the columns of every large tensor that its products work on
        // (gemm_by_weight_columns); the first thread, which runs the small products, the rest.
#pragma omp parallel num_threads(threads)
        {
            const int part = omp_get_thread_num(), parts = omp_get_num_threads();
            for (const ParameterBlock& block : parameter_layout_) {
                const auto [first, last] =
                    cpu::splits_weight_columns(block.rows, block.cols)
                        ? cpu::part_range(block.cols, cpu::kOwnerColumnGranule, part, parts)
                        : cpu::part_range(block.cols, 1, part, 1);
                if (first < last) {
                    update(block.offset + first * block.rows, block.offset + last * block.rows);
                }
            }
        }
    };
    switch (s.kind) {
        case OptimizerStep::Kind::kSgd:
            apply([&](std::int64_t first, std::int64_t last) {
                for (std::int64_t i = first; i < last; ++i) {
                    float g = grad[i] + wd * p[i];
                    if (s.momentum != 0.0f) {
                        float& buf = state0.data[i];
                        buf = s.step == 1 ? g : s.momentum * buf + (1.0f - s.dampening) * g;
                        g = s.nesterov ? g + s.momentum * buf : buf;
                    }
                    p[i] -= s.lr * g;
                }
            });
            break;
        case OptimizerStep::Kind::kAdam: {
            const double correction1 = 1.0 - std::pow(static_cast<double>(s.beta1), s.step);
            const double correction2 = 1.0 - std::pow(static_cast<double>(s.beta2), s.step);
            const float step_size = static_cast<float>(s.lr / correction1);
            // A product, not torch's quotient: one division fewer per element (about 10% of the
            // update), for a denominator that may differ in its last bit.
            const float inverse_sqrt_correction2 = static_cast<float>(1.0 / std::sqrt(correction2));
            const float decay = s.decoupled_weight_decay ? 1.0f - s.lr * wd : 1.0f;
            const float coupled = s.decoupled_weight_decay ? 0.0f : wd;
            const float beta1 = s.beta1, beta2 = s.beta2, eps = s.eps;
            float* m = state0.data;
            float* v = state1.data;
            apply([=](std::int64_t first, std::int64_t last) {
                for (std::int64_t i = first; i < last; ++i) {
                    p[i] *= decay;
                    const float g = grad[i] + coupled * p[i];
                    m[i] += (1.0f - beta1) * (g - m[i]);
                    v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;
                    const float denom = std::sqrt(v[i]) * inverse_sqrt_correction2 + eps;
                    p[i] -= step_size * m[i] / denom;
                }
            });
            break;
        }
        case OptimizerStep::Kind::kRmsprop:
            apply([&](std::int64_t first, std::int64_t last) {
                for (std::int64_t i = first; i < last; ++i) {
                    const float g = grad[i] + wd * p[i];
                    float& square_avg = state0.data[i];
                    square_avg = s.alpha * square_avg + (1.0f - s.alpha) * g * g;
                    float avg;
                    if (s.centered) {
                        float& grad_avg = state2.data[i];
                        grad_avg += (1.0f - s.alpha) * (g - grad_avg);
                        avg = std::sqrt(square_avg - grad_avg * grad_avg) + s.eps;
                    } else {
                        avg = std::sqrt(square_avg) + s.eps;
                    }
                    if (s.momentum > 0.0f) {
                        float& buf = state1.data[i];
                        buf = s.momentum * buf + g / avg;
                        p[i] -= s.lr * buf;
                    } else {
                        p[i] -= s.lr * g / avg;
                    }
                }
            });
            break;
        case OptimizerStep::Kind::kAdagrad: {
            const float clr = s.lr / (1.0f + static_cast<float>(s.step - 1) * s.lr_decay);
            apply([&, clr](std::int64_t first, std::int64_t last) {
                for (std::int64_t i = first; i < last; ++i) {
                    const float g = grad[i] + wd * p[i];
                    float& sum = state0.data[i];
                    sum += g * g;
                    p[i] -= clr * g / (std::sqrt(sum) + s.eps);
                }
            });
            break;
        }
    }
}

}  // namespace dlctl
