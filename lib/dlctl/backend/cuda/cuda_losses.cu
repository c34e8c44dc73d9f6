#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/core/error.h"

// Each loss is one block: the total weight, then every sample's gradient and loss, the loss
// summed in double (as on the CPU) and written to its slot, never read back here. A batch is at
// most a few thousand samples, which one block walks in a few microseconds.

namespace dlctl {

namespace {

constexpr int kLossThreads = 512;

/// Σ weights, or the count when unweighted; never 0 (as the CPU backend).
__device__ double weight_total(const float* weights, std::int64_t count, double* shared) {
    if (weights == nullptr) return static_cast<double>(count);
    double total = 0.0;
    for (std::int64_t i = threadIdx.x; i < count; i += blockDim.x) total += weights[i];
    total = cuda::block_sum(total, shared);
    return total > 0.0 ? total : 1.0;
}

__global__ void sigmoid_cross_entropy_kernel(const float* logits,
                                             const float* targets,
                                             const float* weights,
                                             float smoothing,
                                             float* grad,
                                             float* loss,
                                             std::int64_t n) {
    __shared__ double shared[32];
    const double total_weight = weight_total(weights, n, shared);
    const float inv = static_cast<float>(1.0 / total_weight);
    double total = 0.0;
    for (std::int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        const float z = logits[i];
        const float y = targets[i] * (1.0f - smoothing) + 0.5f * smoothing;
        const float w = weights != nullptr ? weights[i] : 1.0f;
        total += w * (fmaxf(z, 0.0f) - z * y + log1pf(expf(-fabsf(z))));
        grad[i] = w * (cuda::stable_sigmoid(z) - y) * inv;
    }
    total = cuda::block_sum(total, shared);
    if (threadIdx.x == 0) loss[0] = static_cast<float>(total / total_weight);
}

__global__ void softmax_cross_entropy_kernel(const float* logits,
                                             const float* labels,
                                             const float* weights,
                                             float smoothing,
                                             float* grad,
                                             float* loss,
                                             std::int64_t k,
                                             std::int64_t cols) {
    __shared__ double shared[32];
    const double total_weight = weight_total(weights, cols, shared);
    const float inv = static_cast<float>(1.0 / total_weight);
    const float off = smoothing / static_cast<float>(k);
    const float on = 1.0f - smoothing + off;
    double total = 0.0;
    for (std::int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
        const float* z = logits + c * k;
        float* g = grad + c * k;
        const auto label = static_cast<std::int64_t>(labels[c]);
        if (label < 0 || label >= k) {  // cannot happen for encoded data; poisons the loss
            for (std::int64_t r = 0; r < k; ++r) g[r] = 0.0f;
            total = nan("");
            continue;
        }
        float top = z[0];
        for (std::int64_t r = 1; r < k; ++r) top = fmaxf(top, z[r]);
        double sum = 0.0;
        for (std::int64_t r = 0; r < k; ++r) sum += exp(static_cast<double>(z[r] - top));
        const double log_sum = log(sum) + top;
        const float w = weights != nullptr ? weights[c] : 1.0f;
        double sample = 0.0;
        for (std::int64_t r = 0; r < k; ++r) {
            const float q = r == label ? on : off;
            const double log_p = z[r] - log_sum;
            sample -= q * log_p;
            g[r] = w * (static_cast<float>(exp(log_p)) - q) * inv;
        }
        total += w * sample;
    }
    total = cuda::block_sum(total, shared);
    if (threadIdx.x == 0) loss[0] = static_cast<float>(total / total_weight);
}

__global__ void regression_loss_kernel(RegressionLoss kind,
                                       float delta,
                                       const float* predictions,
                                       const float* targets,
                                       const float* weights,
                                       float* grad,
                                       float* loss,
                                       std::int64_t rows,
                                       std::int64_t cols) {
    __shared__ double shared[32];
    // The mean runs over every element: weights per sample, times the outputs per sample.
    const double total_weight = weight_total(weights, cols, shared) * static_cast<double>(rows);
    const float inv = static_cast<float>(1.0 / total_weight);
    double total = 0.0;
    for (std::int64_t i = threadIdx.x; i < rows * cols; i += blockDim.x) {
        const float w = weights != nullptr ? weights[i / rows] : 1.0f;
        const float d = predictions[i] - targets[i];
        const float a = fabsf(d);
        double value = 0.0;
        float slope = 0.0f;
        switch (kind) {
            case RegressionLoss::kMse:
                value = static_cast<double>(d) * d;
                slope = 2.0f * d;
                break;
            case RegressionLoss::kMae:
                value = a;
                slope = d > 0.0f ? 1.0f : (d < 0.0f ? -1.0f : 0.0f);
                break;
            case RegressionLoss::kHuber:
                value = a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
                slope = a < delta ? d : (d > 0.0f ? delta : -delta);
                break;
        }
        total += w * value;
        grad[i] = w * slope * inv;
    }
    total = cuda::block_sum(total, shared);
    if (threadIdx.x == 0) loss[0] = static_cast<float>(total / total_weight);
}

}  // namespace

void CudaBackend::sigmoid_cross_entropy(const Tensor& logits,
                                        const Tensor& targets,
                                        const Tensor& weights,
                                        float label_smoothing,
                                        Tensor grad,
                                        Tensor loss) {
    DLCTL_CHECK(logits.size() == targets.size() && logits.size() == grad.size());
    DLCTL_CHECK(logits.rows == 1 && logits.cols > 0 && loss.size() >= 1);
    sigmoid_cross_entropy_kernel<<<1, kLossThreads, 0, stream_>>>(
        logits.data, targets.data, weights.data, label_smoothing, grad.data, loss.data,
        logits.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::softmax_cross_entropy(const Tensor& logits,
                                        const Tensor& labels,
                                        const Tensor& weights,
                                        float label_smoothing,
                                        Tensor grad,
                                        Tensor loss) {
    DLCTL_CHECK(labels.size() == logits.cols && grad.size() == logits.size());
    DLCTL_CHECK(logits.cols > 0 && loss.size() >= 1);
    softmax_cross_entropy_kernel<<<1, kLossThreads, 0, stream_>>>(
        logits.data, labels.data, weights.data, label_smoothing, grad.data, loss.data, logits.rows,
        logits.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::regression_loss(RegressionLoss kind,
                                  float delta,
                                  const Tensor& predictions,
                                  const Tensor& targets,
                                  const Tensor& weights,
                                  Tensor grad,
                                  Tensor loss) {
    DLCTL_CHECK(predictions.size() == targets.size() && predictions.size() == grad.size());
    DLCTL_CHECK(predictions.size() > 0 && loss.size() >= 1);
    regression_loss_kernel<<<1, kLossThreads, 0, stream_>>>(
        kind, delta, predictions.data, targets.data, weights.data, grad.data, loss.data,
        predictions.rows, predictions.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
}

}  // namespace dlctl
