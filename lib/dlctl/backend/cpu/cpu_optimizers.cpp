#include <omp.h>

#include <cmath>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_parallel.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace {

// Each kind's loop over n elements, on pointers already offset to its range. The loops take
// restrict-qualified parameters rather than a lambda's captures: inlined into an OpenMP region
// through captured pointers, GCC 12 left the Adam loop scalar (sqrtss, divss), and the update
// took 2.5 times as long (seed network, batch 32, 1 thread: 50k samples/s fell to 20k). They
// stay functions of their own (noinline) so that tests/scripts/test_vectorised_loops.sh can find
// them in the library and check that they are vectorised.

[[gnu::noinline]] void sgd_range(const OptimizerStep& s,
                                 std::int64_t n,
                                 float* __restrict p,
                                 const float* __restrict grad,
                                 float* __restrict momentum_buffer) {
    const float lr = s.lr, wd = s.weight_decay, momentum = s.momentum;
    const float dampening = s.dampening;
    const bool first_step = s.step == 1, nesterov = s.nesterov;
    if (momentum_buffer == nullptr) {
        for (std::int64_t i = 0; i < n; ++i) p[i] -= lr * (grad[i] + wd * p[i]);
        return;
    }
    for (std::int64_t i = 0; i < n; ++i) {
        float g = grad[i] + wd * p[i];
        float& buf = momentum_buffer[i];
        buf = first_step ? g : momentum * buf + (1.0f - dampening) * g;
        g = nesterov ? g + momentum * buf : buf;
        p[i] -= lr * g;
    }
}

struct AdamFactors {
    float step_size, inverse_sqrt_correction2, decay, coupled, beta1, beta2, eps;
};

AdamFactors adam_factors(const OptimizerStep& s) {
    const double correction1 = 1.0 - std::pow(static_cast<double>(s.beta1), s.step);
    const double correction2 = 1.0 - std::pow(static_cast<double>(s.beta2), s.step);
    const float wd = s.weight_decay;
    return {
        static_cast<float>(s.lr / correction1),
        // A product, not torch's quotient: one division fewer per element (about 10% of the
        // update), for a denominator that may differ in its last bit.
        static_cast<float>(1.0 / std::sqrt(correction2)),
        s.decoupled_weight_decay ? 1.0f - s.lr * wd : 1.0f,
        s.decoupled_weight_decay ? 0.0f : wd,
        s.beta1,
        s.beta2,
        s.eps,
    };
}

[[gnu::noinline]] void adam_range(const AdamFactors f,
                                  std::int64_t n,
                                  float* __restrict p,
                                  const float* __restrict grad,
                                  float* __restrict m,
                                  float* __restrict v) {
    for (std::int64_t i = 0; i < n; ++i) {
        p[i] *= f.decay;
        const float g = grad[i] + f.coupled * p[i];
        m[i] += (1.0f - f.beta1) * (g - m[i]);
        v[i] = f.beta2 * v[i] + (1.0f - f.beta2) * g * g;
        const float denom = std::sqrt(v[i]) * f.inverse_sqrt_correction2 + f.eps;
        p[i] -= f.step_size * m[i] / denom;
    }
}

[[gnu::noinline]] void rmsprop_range(const OptimizerStep& s,
                                     std::int64_t n,
                                     float* __restrict p,
                                     const float* __restrict grad,
                                     float* __restrict square_avg,
                                     float* __restrict momentum_buffer,
                                     float* __restrict grad_avg) {
    const float lr = s.lr, wd = s.weight_decay, alpha = s.alpha, eps = s.eps;
    const float momentum = s.momentum;
    for (std::int64_t i = 0; i < n; ++i) {
        const float g = grad[i] + wd * p[i];
        square_avg[i] = alpha * square_avg[i] + (1.0f - alpha) * g * g;
        float avg;
        if (grad_avg != nullptr) {
            grad_avg[i] += (1.0f - alpha) * (g - grad_avg[i]);
            avg = std::sqrt(square_avg[i] - grad_avg[i] * grad_avg[i]) + eps;
        } else {
            avg = std::sqrt(square_avg[i]) + eps;
        }
        if (momentum_buffer != nullptr) {
            momentum_buffer[i] = momentum * momentum_buffer[i] + g / avg;
            p[i] -= lr * momentum_buffer[i];
        } else {
            p[i] -= lr * g / avg;
        }
    }
}

[[gnu::noinline]] void adagrad_range(const OptimizerStep& s,
                                     std::int64_t n,
                                     float* __restrict p,
                                     const float* __restrict grad,
                                     float* __restrict sum) {
    const float clr = s.lr / (1.0f + static_cast<float>(s.step - 1) * s.lr_decay);
    const float wd = s.weight_decay, eps = s.eps;
    for (std::int64_t i = 0; i < n; ++i) {
        const float g = grad[i] + wd * p[i];
        sum[i] += g * g;
        p[i] -= clr * g / (std::sqrt(sum[i]) + eps);
    }
}

}  // namespace

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
                sgd_range(s, last - first, p + first, grad + first,
                          s.momentum != 0.0f ? state0.data + first : nullptr);
            });
            break;
        case OptimizerStep::Kind::kAdam: {
            const AdamFactors adam = adam_factors(s);
            apply([&](std::int64_t first, std::int64_t last) {
                adam_range(adam, last - first, p + first, grad + first, state0.data + first,
                           state1.data + first);
            });
            break;
        }
        case OptimizerStep::Kind::kRmsprop:
            apply([&](std::int64_t first, std::int64_t last) {
                rmsprop_range(s, last - first, p + first, grad + first, state0.data + first,
                              s.momentum > 0.0f ? state1.data + first : nullptr,
                              s.centered ? state2.data + first : nullptr);
            });
            break;
        case OptimizerStep::Kind::kAdagrad:
            apply([&](std::int64_t first, std::int64_t last) {
                adagrad_range(s, last - first, p + first, grad + first, state0.data + first);
            });
            break;
    }
}

}  // namespace dlctl
