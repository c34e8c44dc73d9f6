#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/backend/formulas.h"
#include "dlctl/core/error.h"

// One fused pass over the flat parameter buffer per step, the update of formulas.h (as on the
// CPU, and so torch.optim's arithmetic) element for element; step-dependent factors are
// computed on the host.

namespace dlctl {

namespace {

__global__ void sgd_kernel(
    formulas::SgdFactors f, float* p, const float* grad, float* buf, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        if (buf != nullptr) {
            formulas::sgd_momentum_update(f, grad[i], p[i], buf[i]);
        } else {
            formulas::sgd_update(f, grad[i], p[i]);
        }
    }
}

__global__ void adam_kernel(
    formulas::AdamFactors f, float* p, const float* grad, float* m, float* v, std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) formulas::adam_update(f, grad[i], p[i], m[i], v[i]);
}

__global__ void rmsprop_kernel(formulas::RmspropFactors f,
                               float* p,
                               const float* grad,
                               float* square_avg,
                               float* buf,
                               float* grad_avg,
                               std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) {
        formulas::rmsprop_update(f, grad[i], p[i], square_avg[i],
                                 buf != nullptr ? buf + i : nullptr,
                                 grad_avg != nullptr ? grad_avg + i : nullptr);
    }
}

__global__ void adagrad_kernel(float clr,
                               float weight_decay,
                               float eps,
                               float* p,
                               const float* grad,
                               float* sum,
                               std::int64_t n) {
    DLCTL_GRID_STRIDE(i, n) formulas::adagrad_update(clr, weight_decay, eps, grad[i], p[i], sum[i]);
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
    float* p = params.data;
    const float* g = grads.data;
    switch (s.kind) {
        case OptimizerStep::Kind::kSgd:
            sgd_kernel<<<blocks, cuda::kThreads, 0, stream_>>>(
                formulas::sgd_factors(s), p, g, s.momentum != 0.0f ? state0.data : nullptr, n);
            break;
        case OptimizerStep::Kind::kAdam:
            adam_kernel<<<blocks, cuda::kThreads, 0, stream_>>>(formulas::adam_factors(s), p, g,
                                                                state0.data, state1.data, n);
            break;
        case OptimizerStep::Kind::kRmsprop:
            rmsprop_kernel<<<blocks, cuda::kThreads, 0, stream_>>>(
                formulas::rmsprop_factors(s), p, g, state0.data,
                s.momentum > 0.0f ? state1.data : nullptr, s.centered ? state2.data : nullptr, n);
            break;
        case OptimizerStep::Kind::kAdagrad:
            adagrad_kernel<<<blocks, cuda::kThreads, 0, stream_>>>(
                formulas::adagrad_learning_rate(s), s.weight_decay, s.eps, p, g, state0.data, n);
            break;
    }
    DLCTL_CUDA_CHECK_LAUNCH();
}

}  // namespace dlctl
