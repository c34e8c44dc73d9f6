#include <omp.h>

#include <cmath>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_parallel.h"
#include "dlctl/backend/formulas.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace {

// Each kind's loop over n elements, on pointers already offset to its range. Restrict-qualified
// parameters, not a lambda's captures, because GCC 12 leaves the captured loop scalar
// (docs/benchmarks.md); noinline so that tests/scripts/test_vectorised_loops.sh finds them.

[[gnu::noinline]] void sgd_range(const formulas::SgdFactors f,
                                 std::int64_t n,
                                 float* __restrict p,
                                 const float* __restrict grad,
                                 float* __restrict momentum_buffer) {
    if (momentum_buffer == nullptr) {
        for (std::int64_t i = 0; i < n; ++i) formulas::sgd_update(f, grad[i], p[i]);
        return;
    }
    for (std::int64_t i = 0; i < n; ++i) {
        formulas::sgd_momentum_update(f, grad[i], p[i], momentum_buffer[i]);
    }
}

[[gnu::noinline]] void adam_range(const formulas::AdamFactors f,
                                  std::int64_t n,
                                  float* __restrict p,
                                  const float* __restrict grad,
                                  float* __restrict m,
                                  float* __restrict v) {
    for (std::int64_t i = 0; i < n; ++i) formulas::adam_update(f, grad[i], p[i], m[i], v[i]);
}

/// One variant of rmsprop's loop: with the optional slots known at compile time, the formula's
/// null checks fold away and the loop vectorises (a check per element left it scalar).
template <bool kMomentum, bool kCentered>
[[gnu::always_inline]] inline void rmsprop_variant(const formulas::RmspropFactors& f,
                                                   std::int64_t n,
                                                   float* __restrict p,
                                                   const float* __restrict grad,
                                                   float* __restrict square_avg,
                                                   float* __restrict momentum_buffer,
                                                   float* __restrict grad_avg) {
    for (std::int64_t i = 0; i < n; ++i) {
        formulas::rmsprop_update(f, grad[i], p[i], square_avg[i],
                                 kMomentum ? momentum_buffer + i : nullptr,
                                 kCentered ? grad_avg + i : nullptr);
    }
}

[[gnu::noinline]] void rmsprop_range(const formulas::RmspropFactors f,
                                     std::int64_t n,
                                     float* __restrict p,
                                     const float* __restrict grad,
                                     float* __restrict square_avg,
                                     float* __restrict momentum_buffer,
                                     float* __restrict grad_avg) {
    const bool momentum = momentum_buffer != nullptr, centered = grad_avg != nullptr;
    if (momentum && centered) {
        rmsprop_variant<true, true>(f, n, p, grad, square_avg, momentum_buffer, grad_avg);
    } else if (momentum) {
        rmsprop_variant<true, false>(f, n, p, grad, square_avg, momentum_buffer, grad_avg);
    } else if (centered) {
        rmsprop_variant<false, true>(f, n, p, grad, square_avg, momentum_buffer, grad_avg);
    } else {
        rmsprop_variant<false, false>(f, n, p, grad, square_avg, momentum_buffer, grad_avg);
    }
}

[[gnu::noinline]] void adagrad_range(const OptimizerStep& s,
                                     std::int64_t n,
                                     float* __restrict p,
                                     const float* __restrict grad,
                                     float* __restrict sum) {
    const float clr = formulas::adagrad_learning_rate(s);
    const float wd = s.weight_decay, eps = s.eps;
    for (std::int64_t i = 0; i < n; ++i)
        formulas::adagrad_update(clr, wd, eps, grad[i], p[i], sum[i]);
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
        case OptimizerStep::Kind::kSgd: {
            const formulas::SgdFactors sgd = formulas::sgd_factors(s);
            apply([&](std::int64_t first, std::int64_t last) {
                sgd_range(sgd, last - first, p + first, grad + first,
                          s.momentum != 0.0f ? state0.data + first : nullptr);
            });
            break;
        }
        case OptimizerStep::Kind::kAdam: {
            const formulas::AdamFactors adam = formulas::adam_factors(s);
            apply([&](std::int64_t first, std::int64_t last) {
                adam_range(adam, last - first, p + first, grad + first, state0.data + first,
                           state1.data + first);
            });
            break;
        }
        case OptimizerStep::Kind::kRmsprop: {
            const formulas::RmspropFactors rmsprop = formulas::rmsprop_factors(s);
            apply([&](std::int64_t first, std::int64_t last) {
                rmsprop_range(rmsprop, last - first, p + first, grad + first, state0.data + first,
                              s.momentum > 0.0f ? state1.data + first : nullptr,
                              s.centered ? state2.data + first : nullptr);
            });
            break;
        }
        case OptimizerStep::Kind::kAdagrad:
            apply([&](std::int64_t first, std::int64_t last) {
                adagrad_range(s, last - first, p + first, grad + first, state0.data + first);
            });
            break;
    }
}

}  // namespace dlctl
