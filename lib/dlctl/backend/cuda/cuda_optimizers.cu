#include <cmath>

#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/core/error.h"

// One fused pass over the flat parameter buffer per step, the arithmetic of the CPU backend (and
// so of torch.optim) element for element; step-dependent factors are computed on the host.

namespace dlctl {

namespace {

__global__ void sgd_kernel(
    OptimizerStep s, float* p, const float* grad, float* buf, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        float g = grad[i] + s.weight_decay * p[i];
        if (s.momentum != 0.0f) {
            const float b = s.step == 1 ? g : s.momentum * buf[i] + (1.0f - s.dampening) * g;
            buf[i] = b;
            g = s.nesterov ? g + s.momentum * b : b;
        }
        p[i] -= s.lr * g;
    }
}

__global__ void adam_kernel(OptimizerStep s,
                            float step_size,
                            float inverse_sqrt_correction2,
                            float* p,
                            const float* grad,
                            float* m,
                            float* v,
                            std::int64_t n) {
    const float decay = s.decoupled_weight_decay ? 1.0f - s.lr * s.weight_decay : 1.0f;
    const float coupled = s.decoupled_weight_decay ? 0.0f : s.weight_decay;
    DLCTL_GRID_STRIDE(i, n) {
        const float w = p[i] * decay;
        const float g = grad[i] + coupled * w;
        const float mi = m[i] + (1.0f - s.beta1) * (g - m[i]);
        const float vi = s.beta2 * v[i] + (1.0f - s.beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        p[i] = w - step_size * mi / (sqrtf(vi) * inverse_sqrt_correction2 + s.eps);
    }
}

__global__ void rmsprop_kernel(OptimizerStep s,
                               float* p,
                               const float* grad,
                               float* square_avg,
                               float* buf,
                               float* grad_avg,
                               std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        const float g = grad[i] + s.weight_decay * p[i];
        const float sq = s.alpha * square_avg[i] + (1.0f - s.alpha) * g * g;
        square_avg[i] = sq;
        float avg;
        if (s.centered) {
            const float ga = grad_avg[i] + (1.0f - s.alpha) * (g - grad_avg[i]);
            grad_avg[i] = ga;
            avg = sqrtf(sq - ga * ga) + s.eps;
        } else {
            avg = sqrtf(sq) + s.eps;
        }
        if (s.momentum > 0.0f) {
            const float b = s.momentum * buf[i] + g / avg;
            buf[i] = b;
            p[i] -= s.lr * b;
        } else {
            p[i] -= s.lr * g / avg;
        }
    }
}

__global__ void adagrad_kernel(
    OptimizerStep s, float clr, float* p, const float* grad, float* sum, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        const float g = grad[i] + s.weight_decay * p[i];
        const float total = sum[i] + g * g;
        sum[i] = total;
        p[i] -= clr * g / (sqrtf(total) + s.eps);
    }
}

}  // namespace

void CudaBackend::optimizer_update(const OptimizerStep& s,
                                   Tensor params,
                                   const Tensor& grads,
                                   Tensor state0,
                                   Tensor state1,
                                   Tensor state2) {
    DLCTL_CHECK(params.size() == grads.size());
    const std::int64_t n = params.size();
    if (n == 0) return;
    const unsigned blocks = cuda::blocks_for(n);
    switch (s.kind) {
        case OptimizerStep::Kind::kSgd:
            sgd_kernel<<<blocks, cuda::kThreads, 0, stream_>>>(s, params.data, grads.data,
                                                               state0.data, n);
            break;
        case OptimizerStep::Kind::kAdam: {
            const double correction1 = 1.0 - std::pow(static_cast<double>(s.beta1), s.step);
            const double correction2 = 1.0 - std::pow(static_cast<double>(s.beta2), s.step);
            adam_kernel<<<blocks, cuda::kThreads, 0, stream_>>>(
                s, static_cast<float>(s.lr / correction1),
                static_cast<float>(1.0 / std::sqrt(correction2)), params.data, grads.data,
                state0.data, state1.data, n);
            break;
        }
        case OptimizerStep::Kind::kRmsprop:
            rmsprop_kernel<<<blocks, cuda::kThreads, 0, stream_>>>(
                s, params.data, grads.data, state0.data, state1.data, state2.data, n);
            break;
        case OptimizerStep::Kind::kAdagrad: {
            const float clr = s.lr / (1.0f + static_cast<float>(s.step - 1) * s.lr_decay);
            adagrad_kernel<<<blocks, cuda::kThreads, 0, stream_>>>(s, clr, params.data, grads.data,
                                                                   state0.data, n);
            break;
        }
    }
    DLCTL_CUDA_CHECK_LAUNCH();
}

}  // namespace dlctl
