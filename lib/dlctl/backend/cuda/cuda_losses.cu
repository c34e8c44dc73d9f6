#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/backend/cuda/cuda_device.cuh"
#include "dlctl/backend/formulas.h"
#include "dlctl/core/error.h"

// Each loss is one block: every sample's term (formulas.h, as on the CPU) weighted and summed in
// double, then {Σ w·ℓ, Σ w} written to `sums`, never read back here. A batch is at most a few
// thousand samples, which one block walks in a few microseconds.

namespace dlctl {

namespace {

constexpr int kLossThreads = 512;

__device__ float weight_of(const float* weights, std::int64_t c) {
    return weights != nullptr ? weights[c] : 1.0f;
}

/// Thread 0 writes the block's sums.
__device__ void write_sums(double weighted_loss, double weight, double* shared, float* sums) {
    weighted_loss = cuda::block_sum(weighted_loss, shared);
    weight = cuda::block_sum(weight, shared);
    if (threadIdx.x == 0) {
        sums[0] = static_cast<float>(weighted_loss);
        sums[1] = static_cast<float>(weight);
    }
}

__global__ void sigmoid_cross_entropy_kernel(const float* logits,
                                             const float* targets,
                                             const float* weights,
                                             float smoothing,
                                             float scale,
                                             float* grad,
                                             float* sums,
                                             std::int64_t n) {
    __shared__ double shared[32];
    double total = 0.0, weight = 0.0;
    for (std::int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        const float z = logits[i];
        const float y = formulas::smoothed_binary_target(targets[i], smoothing);
        const float w = weight_of(weights, i);
        total += w * formulas::sigmoid_cross_entropy(z, y);
        weight += w;
        if (grad != nullptr) grad[i] = w * (formulas::sigmoid(z) - y) * scale;
    }
    write_sums(total, weight, shared, sums);
}

__global__ void softmax_cross_entropy_kernel(const float* logits,
                                             const float* labels,
                                             const float* weights,
                                             float smoothing,
                                             float scale,
                                             float* grad,
                                             float* sums,
                                             std::int64_t k,
                                             std::int64_t cols) {
    __shared__ double shared[32];
    const float off = smoothing / static_cast<float>(k);
    const float on = 1.0f - smoothing + off;
    double total = 0.0, weight = 0.0;
    for (std::int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
        const float w = weight_of(weights, c);
        float* g = grad != nullptr ? grad + c * k : nullptr;
        total +=
            w * formulas::softmax_cross_entropy(logits + c * k, k, labels[c], on, off, w, scale, g);
        weight += w;
    }
    write_sums(total, weight, shared, sums);
}

__global__ void regression_loss_kernel(RegressionLoss kind,
                                       float delta,
                                       const float* predictions,
                                       const float* targets,
                                       const float* weights,
                                       float scale,
                                       float* grad,
                                       float* sums,
                                       std::int64_t rows,
                                       std::int64_t cols) {
    __shared__ double shared[32];
    double total = 0.0, weight = 0.0;
    for (std::int64_t c = threadIdx.x; c < cols; c += blockDim.x) weight += weight_of(weights, c);
    for (std::int64_t i = threadIdx.x; i < rows * cols; i += blockDim.x) {
        const float w = weight_of(weights, i / rows);
        const formulas::RegressionTerm term =
            formulas::regression_term(kind, delta, predictions[i] - targets[i]);
        total += w * term.value;
        if (grad != nullptr) grad[i] = w * term.slope * scale;
    }
    // A sample's loss is the mean over its rows.
    write_sums(rows > 0 ? total / static_cast<double>(rows) : 0.0, weight, shared, sums);
}

}  // namespace

void CudaBackend::sigmoid_cross_entropy(const Tensor& logits,
                                        const Tensor& targets,
                                        const Tensor& weights,
                                        float label_smoothing,
                                        double divisor,
                                        Tensor grad,
                                        Tensor sums) {
    DLCTL_CHECK(logits.size() == targets.size() && logits.rows == 1 && sums.size() >= 2);
    DLCTL_CHECK(grad.data == nullptr || logits.size() == grad.size());
    sigmoid_cross_entropy_kernel<<<1, kLossThreads, 0, stream_>>>(
        logits.data, targets.data, weights.data, label_smoothing, static_cast<float>(1.0 / divisor),
        grad.data, sums.data, logits.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::softmax_cross_entropy(const Tensor& logits,
                                        const Tensor& labels,
                                        const Tensor& weights,
                                        float label_smoothing,
                                        double divisor,
                                        Tensor grad,
                                        Tensor sums) {
    DLCTL_CHECK(labels.size() == logits.cols && sums.size() >= 2);
    DLCTL_CHECK(grad.data == nullptr || grad.size() == logits.size());
    softmax_cross_entropy_kernel<<<1, kLossThreads, 0, stream_>>>(
        logits.data, labels.data, weights.data, label_smoothing, static_cast<float>(1.0 / divisor),
        grad.data, sums.data, logits.rows, logits.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
}

void CudaBackend::regression_loss(RegressionLoss kind,
                                  float delta,
                                  const Tensor& predictions,
                                  const Tensor& targets,
                                  const Tensor& weights,
                                  double divisor,
                                  Tensor grad,
                                  Tensor sums) {
    DLCTL_CHECK(predictions.size() == targets.size() && sums.size() >= 2);
    DLCTL_CHECK(grad.data == nullptr || predictions.size() == grad.size());
    const auto scale = static_cast<float>(1.0 / (divisor * static_cast<double>(predictions.rows)));
    regression_loss_kernel<<<1, kLossThreads, 0, stream_>>>(
        kind, delta, predictions.data, targets.data, weights.data, scale, grad.data, sums.data,
        predictions.rows, predictions.cols);
    DLCTL_CUDA_CHECK_LAUNCH();
}

}  // namespace dlctl
