#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/backend/formulas.h"
#include "dlctl/core/error.h"

// Tensors are features × samples, column-major: element (f, c) at c · features + f. Batch norm
// reduces over the samples of a feature (one block per feature), layer norm over the features
// of a sample (one block per sample); statistics in double, as on the CPU.

namespace dlctl {

namespace {

__global__ void batch_norm_forward_kernel(bool training,
                                          float momentum,
                                          float eps,
                                          const float* x,
                                          const float* gamma,
                                          const float* beta,
                                          float* running_mean,
                                          float* running_var,
                                          float* saved_mean,
                                          float* saved_inv_std,
                                          float* y,
                                          std::int64_t features,
                                          std::int64_t n) {
    __shared__ double shared[32];
    const std::int64_t f = blockIdx.x;
    double mean = 0.0, var = 0.0;
    if (training) {
        for (std::int64_t c = threadIdx.x; c < n; c += blockDim.x) mean += x[c * features + f];
        mean = cuda::block_sum(mean, shared) / static_cast<double>(n);
        for (std::int64_t c = threadIdx.x; c < n; c += blockDim.x) {
            const double d = x[c * features + f] - mean;
            var += d * d;
        }
        var = cuda::block_sum(var, shared);
        if (threadIdx.x == 0 && n > 1) {  // one row has no variance to estimate
            const double unbiased = var / static_cast<double>(n - 1);
            running_mean[f] = formulas::running_statistic(running_mean[f], mean, momentum);
            running_var[f] = formulas::running_statistic(running_var[f], unbiased, momentum);
        }
        var /= static_cast<double>(n);
    } else {
        mean = running_mean[f];
        var = running_var[f];
    }
    const float inv_std = formulas::inverse_std(var, eps);
    if (threadIdx.x == 0) {
        saved_mean[f] = static_cast<float>(mean);
        saved_inv_std[f] = inv_std;
    }
    const float g = gamma[f], b = beta[f], m = static_cast<float>(mean);
    for (std::int64_t c = threadIdx.x; c < n; c += blockDim.x) {
        y[c * features + f] = formulas::normalize(x[c * features + f], m, inv_std, g, b);
    }
}

__global__ void batch_norm_backward_kernel(const float* x,
                                           const float* gamma,
                                           const float* saved_mean,
                                           const float* saved_inv_std,
                                           const float* dy,
                                           float* dx,
                                           float* dgamma,
                                           float* dbeta,
                                           std::int64_t features,
                                           std::int64_t n) {
    __shared__ double shared[32];
    const std::int64_t f = blockIdx.x;
    const float m = saved_mean[f], inv_std = saved_inv_std[f];
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (std::int64_t c = threadIdx.x; c < n; c += blockDim.x) {
        const double xhat = (x[c * features + f] - m) * inv_std;
        sum_dy += dy[c * features + f];
        sum_dy_xhat += dy[c * features + f] * xhat;
    }
    sum_dy = cuda::block_sum(sum_dy, shared);
    sum_dy_xhat = cuda::block_sum(sum_dy_xhat, shared);
    if (threadIdx.x == 0) {
        dgamma[f] += static_cast<float>(sum_dy_xhat);
        dbeta[f] += static_cast<float>(sum_dy);
    }
    if (dx == nullptr) return;
    const double scale = gamma[f] * inv_std / static_cast<double>(n);
    for (std::int64_t c = threadIdx.x; c < n; c += blockDim.x) {
        const double xhat = (x[c * features + f] - m) * inv_std;
        dx[c * features + f] = formulas::normalization_input_gradient(
            scale, static_cast<double>(n), dy[c * features + f], sum_dy, xhat, sum_dy_xhat);
    }
}

__global__ void layer_norm_forward_kernel(float eps,
                                          const float* x,
                                          const float* gamma,
                                          const float* beta,
                                          float* saved_mean,
                                          float* saved_inv_std,
                                          float* y,
                                          std::int64_t features) {
    __shared__ double shared[32];
    const std::int64_t c = blockIdx.x;
    const float* in = x + c * features;
    float* out = y + c * features;
    double mean = 0.0, var = 0.0;
    for (std::int64_t f = threadIdx.x; f < features; f += blockDim.x) mean += in[f];
    mean = cuda::block_sum(mean, shared) / static_cast<double>(features);
    for (std::int64_t f = threadIdx.x; f < features; f += blockDim.x) {
        const double d = in[f] - mean;
        var += d * d;
    }
    var = cuda::block_sum(var, shared) / static_cast<double>(features);
    const float inv_std = formulas::inverse_std(var, eps);
    if (threadIdx.x == 0) {
        saved_mean[c] = static_cast<float>(mean);
        saved_inv_std[c] = inv_std;
    }
    const float m = static_cast<float>(mean);
    for (std::int64_t f = threadIdx.x; f < features; f += blockDim.x) {
        out[f] = formulas::normalize(in[f], m, inv_std, gamma[f], beta[f]);
    }
}

/// dx of one sample per block.
__global__ void layer_norm_input_grad_kernel(const float* x,
                                             const float* gamma,
                                             const float* saved_mean,
                                             const float* saved_inv_std,
                                             const float* dy,
                                             float* dx,
                                             std::int64_t features) {
    __shared__ double shared[32];
    const std::int64_t c = blockIdx.x;
    const float m = saved_mean[c], inv_std = saved_inv_std[c];
    const float* in = x + c * features;
    const float* grad = dy + c * features;
    double sum_g = 0.0, sum_g_xhat = 0.0;
    for (std::int64_t f = threadIdx.x; f < features; f += blockDim.x) {
        const float xhat = (in[f] - m) * inv_std;
        const double g = static_cast<double>(gamma[f]) * grad[f];
        sum_g += g;
        sum_g_xhat += g * xhat;
    }
    sum_g = cuda::block_sum(sum_g, shared);
    sum_g_xhat = cuda::block_sum(sum_g_xhat, shared);
    const double scale = inv_std / static_cast<double>(features);
    for (std::int64_t f = threadIdx.x; f < features; f += blockDim.x) {
        const double xhat = (in[f] - m) * inv_std;
        const double g = static_cast<double>(gamma[f]) * grad[f];
        dx[c * features + f] = formulas::normalization_input_gradient(
            scale, static_cast<double>(features), g, sum_g, xhat, sum_g_xhat);
    }
}

/// dgamma and dbeta, added to: one thread per feature, summing over the samples in order (as the
/// CPU).
__global__ void layer_norm_param_grad_kernel(const float* x,
                                             const float* saved_mean,
                                             const float* saved_inv_std,
                                             const float* dy,
                                             float* dgamma,
                                             float* dbeta,
                                             std::int64_t features,
                                             std::int64_t n) {
    DLCTL_GRID_STRIDE(f, features) {
        float sum_gamma = dgamma[f], sum_beta = dbeta[f];
        for (std::int64_t c = 0; c < n; ++c) {
            const float xhat = (x[c * features + f] - saved_mean[c]) * saved_inv_std[c];
            sum_gamma += dy[c * features + f] * xhat;
            sum_beta += dy[c * features + f];
        }
        dgamma[f] = sum_gamma;
        dbeta[f] = sum_beta;
    }
}

}  // namespace

void CudaBackend::batch_norm_forward(bool training,
                                     float momentum,
                                     float eps,
                                     const Tensor& x,
                                     const Tensor& gamma,
                                     const Tensor& beta,
                                     Tensor running_mean,
                                     Tensor running_var,
                                     Tensor saved_mean,
                                     Tensor saved_inv_std,
                                     Tensor y) {
    DLCTL_CHECK(y.rows == x.rows && y.cols == x.cols && gamma.size() == x.rows);
    if (x.rows == 0 || x.cols == 0) return;
    batch_norm_forward_kernel<<<static_cast<unsigned>(x.rows), cuda::kThreads, 0, stream_>>>(
        training, momentum, eps, x.data, gamma.data, beta.data, running_mean.data, running_var.data,
        saved_mean.data, saved_inv_std.data, y.data, x.rows, x.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::batch_norm_backward(const Tensor& x,
                                      const Tensor& gamma,
                                      const Tensor& saved_mean,
                                      const Tensor& saved_inv_std,
                                      const Tensor& dy,
                                      Tensor dx,
                                      Tensor dgamma,
                                      Tensor dbeta) {
    if (x.rows == 0 || x.cols == 0) return;
    batch_norm_backward_kernel<<<static_cast<unsigned>(x.rows), cuda::kThreads, 0, stream_>>>(
        x.data, gamma.data, saved_mean.data, saved_inv_std.data, dy.data, dx.data, dgamma.data,
        dbeta.data, x.rows, x.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::layer_norm_forward(float eps,
                                     const Tensor& x,
                                     const Tensor& gamma,
                                     const Tensor& beta,
                                     Tensor saved_mean,
                                     Tensor saved_inv_std,
                                     Tensor y) {
    DLCTL_CHECK(y.rows == x.rows && y.cols == x.cols && saved_mean.size() >= x.cols);
    if (x.rows == 0 || x.cols == 0) return;
    layer_norm_forward_kernel<<<static_cast<unsigned>(x.cols), cuda::kThreads, 0, stream_>>>(
        eps, x.data, gamma.data, beta.data, saved_mean.data, saved_inv_std.data, y.data, x.rows);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::layer_norm_backward(const Tensor& x,
                                      const Tensor& gamma,
                                      const Tensor& saved_mean,
                                      const Tensor& saved_inv_std,
                                      const Tensor& dy,
                                      Tensor dx,
                                      Tensor dgamma,
                                      Tensor dbeta) {
    if (x.rows == 0) return;
    layer_norm_param_grad_kernel<<<cuda::blocks_for(x.rows), cuda::kThreads, 0, stream_>>>(
        x.data, saved_mean.data, saved_inv_std.data, dy.data, dgamma.data, dbeta.data, x.rows,
        x.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
    if (dx.data == nullptr || x.cols == 0) return;
    layer_norm_input_grad_kernel<<<static_cast<unsigned>(x.cols), cuda::kThreads, 0, stream_>>>(
        x.data, gamma.data, saved_mean.data, saved_inv_std.data, dy.data, dx.data, x.rows);
    DLCTL_CUDA_CHECK_LAUNCH();
}

}  // namespace dlctl
