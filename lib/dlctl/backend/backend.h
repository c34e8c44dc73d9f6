#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dlctl/backend/activation.h"
#include "dlctl/backend/buffer.h"
#include "dlctl/backend/optimizer_step.h"
#include "dlctl/core/device.h"
#include "dlctl/core/tensor.h"

namespace dlctl {

enum class RegressionLoss { kMse, kMae, kHuber };

/// Every numeric operation the engine performs. Layers, losses and optimizers call only this
/// interface; the CPU implementation uses Eigen, the CUDA one cuBLAS and kernels. Tensors are
/// float32, column-major, features × samples, and live in this backend's memory. No operation
/// allocates; callers pass preallocated outputs. An empty tensor (null data) means "absent"
/// where a parameter says it is optional.
class Backend {
  public:
    virtual ~Backend() = default;

    virtual Device device() const = 0;

    /// How to train a step of `batch` columns when each column carries `floats_per_column` floats
    /// of activations: in passes of `columns` (the whole batch, or fewer so that a pass's
    /// activations stay in the CPU's caches), `lanes` of them at a time (run_lanes). The passes'
    /// gradients add up to the batch's (Layer::backward's `accumulate`). A GPU wants whole
    /// batches in one lane.
    struct PassPlan {
        std::int64_t columns = 0;
        int lanes = 1;
    };
    virtual PassPlan plan_passes(std::int64_t batch, std::int64_t floats_per_column) const = 0;
    /// The most lanes run_lanes runs at once.
    virtual int lanes() const = 0;
    /// Calls body(lane, backend) for lanes 0..count-1, concurrently where the backend has lanes,
    /// each with a backend of its own (of this one's memory) that only that call uses; rethrows
    /// the first lane's exception after all have ended.
    virtual void run_lanes(int count, const std::function<void(int, Backend&)>& body) = 0;

    /// Zero-initialised storage for `count` floats; DeviceError when memory runs out.
    virtual Buffer allocate(std::int64_t count) = 0;
    virtual void upload(const float* host, Tensor dst) = 0;
    virtual void download(const Tensor& src, float* host) = 0;
    virtual void fill(Tensor t, float value) = 0;
    /// dst = src (same size).
    virtual void copy(const Tensor& src, Tensor dst) = 0;
    /// y += x (same size).
    virtual void add(const Tensor& x, Tensor y) = 0;

    // ---- dense layers -------------------------------------------------------------------------

    /// c = alpha * op(a) * op(b) + beta * c, op(x) = x or xᵀ.
    virtual void gemm(bool transpose_a,
                      bool transpose_b,
                      float alpha,
                      const Tensor& a,
                      const Tensor& b,
                      float beta,
                      Tensor c) = 0;

    /// A dense layer's input gradient dx = wᵀ · dz where its input x is nonzero. Elements where x
    /// is zero are the product's or zero: the caller guarantees that nothing reads them (the
    /// layer before passes no gradient where its output is zero). The CPU skips them.
    virtual void input_gradient_where_nonzero(const Tensor& w,
                                              const Tensor& dz,
                                              const Tensor& /*x*/,
                                              Tensor dx) {
        gemm(true, false, 1.0f, w, dz, 0.0f, dx);
    }

    /// z += bias (broadcast over columns; optional), then a = act(z). `a` may alias `z` for any
    /// activation but softmax.
    virtual void bias_activation_forward(Activation act,
                                         const Tensor& bias,
                                         Tensor z,
                                         Tensor a) = 0;

    /// dz = da ⊙ act'(z) (softmax: the Jacobian-vector product per column). dz may alias da.
    virtual void activation_backward(
        Activation act, const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz) = 0;

    /// activation_backward, and bias_grad = Σ_c dz (rows × 1; `accumulate`: bias_grad += Σ_c dz)
    /// in the same pass: the gradients of a dense layer's pre-activation and bias.
    virtual void activation_bias_backward(Activation act,
                                          const Tensor& z,
                                          const Tensor& a,
                                          const Tensor& da,
                                          Tensor dz,
                                          Tensor bias_grad,
                                          bool accumulate) = 0;

    /// out = act(x); out may alias x.
    virtual void activation(Activation act, const Tensor& x, Tensor out) = 0;

    /// out[r] = Σ_c x[r, c]; out is x.rows × 1. Gives bias gradients.
    virtual void sum_columns(const Tensor& x, Tensor out) = 0;

    // ---- dropout and normalisation ------------------------------------------------------------

    /// Inverted dropout: element i is kept, scaled by 1 / (1 - rate), when its 16-bit draw
    /// counter_half(seed, RngStream::kDropout, substream, offset + i) is >= floor(rate · 2^16)
    /// (offset % 8 == 0: a tensor starts on a Philox block); mask (optional) holds the factors,
    /// y = x ⊙ mask (y may alias x). Rates are exact to 2^-16: the keep probability is
    /// 1 - floor(rate · 2^16) / 2^16 (0.700012 for 0.3, so the expectation is off by 1.7e-5;
    /// a rate below 2^-16 drops nothing), while the scale stays 1 / (1 - rate), as in PyTorch.
    virtual void dropout_forward(float rate,
                                 std::uint64_t seed,
                                 std::uint64_t substream,
                                 std::uint64_t offset,
                                 const Tensor& x,
                                 Tensor mask,
                                 Tensor y) = 0;

    /// out = a ⊙ b (elementwise); out may alias a or b.
    virtual void multiply(const Tensor& a, const Tensor& b, Tensor out) = 0;

    /// A dense layer's relu and the dropout after it, in place and without a mask: y =
    /// relu(y + bias) ⊙ keep, keep as dropout_forward draws it. The gradient needs only y
    /// (relu_dropout_bias_backward): an element passes its gradient iff it is positive and kept.
    /// The default runs bias_activation_forward and dropout_forward.
    virtual void bias_relu_dropout_forward(float rate,
                                           std::uint64_t seed,
                                           std::uint64_t substream,
                                           std::uint64_t offset,
                                           const Tensor& bias,
                                           Tensor y);

    /// The gradient of bias_relu_dropout_forward from its output y: dz = dy · (1 / (1 - rate))
    /// where y > 0, else 0, and bias_grad = Σ_c dz (optional; `accumulate` adds to it). dy may be
    /// overwritten; dz may alias dy, not y. The default scales dy, then activation_bias_backward.
    virtual void relu_dropout_bias_backward(
        float rate, const Tensor& y, Tensor dy, Tensor dz, Tensor bias_grad, bool accumulate);

    /// Batch normalisation over the samples of each feature (row). Training: normalises with the
    /// batch statistics, saves mean and 1/σ (rows × 1) for backward, and updates the running
    /// statistics as PyTorch does (unbiased variance, running = (1 - m) · running + m · batch;
    /// a single-row batch leaves them unchanged).
    /// Evaluation: normalises with the running statistics. y = gamma · x̂ + beta.
    virtual void batch_norm_forward(bool training,
                                    float momentum,
                                    float eps,
                                    const Tensor& x,
                                    const Tensor& gamma,
                                    const Tensor& beta,
                                    Tensor running_mean,
                                    Tensor running_var,
                                    Tensor saved_mean,
                                    Tensor saved_inv_std,
                                    Tensor y) = 0;

    /// Gradients of batch_norm_forward in training mode; dx optional.
    virtual void batch_norm_backward(const Tensor& x,
                                     const Tensor& gamma,
                                     const Tensor& saved_mean,
                                     const Tensor& saved_inv_std,
                                     const Tensor& dy,
                                     Tensor dx,
                                     Tensor dgamma,
                                     Tensor dbeta) = 0;

    /// Layer normalisation over the features of each sample (column); saved statistics are
    /// 1 × batch. y = gamma · x̂ + beta with gamma, beta per feature.
    virtual void layer_norm_forward(float eps,
                                    const Tensor& x,
                                    const Tensor& gamma,
                                    const Tensor& beta,
                                    Tensor saved_mean,
                                    Tensor saved_inv_std,
                                    Tensor y) = 0;

    /// Gradients of layer_norm_forward; dx optional; `accumulate` adds to dgamma and dbeta.
    virtual void layer_norm_backward(const Tensor& x,
                                     const Tensor& gamma,
                                     const Tensor& saved_mean,
                                     const Tensor& saved_inv_std,
                                     const Tensor& dy,
                                     Tensor dx,
                                     Tensor dgamma,
                                     Tensor dbeta,
                                     bool accumulate) = 0;

    // ---- losses: grad = d(weighted mean loss)/d input, loss[0] = weighted mean loss -----------
    // Weights (1 × batch, optional) weigh each sample; the mean divides by their sum.

    /// Sigmoid fused with binary cross-entropy on logits (1 × batch) and 0/1 targets, smoothed
    /// to y (1 - s) + s / 2. Stable for any |z|.
    virtual void sigmoid_cross_entropy(const Tensor& logits,
                                       const Tensor& targets,
                                       const Tensor& weights,
                                       float label_smoothing,
                                       Tensor grad,
                                       Tensor loss) = 0;

    /// Softmax fused with cross-entropy on logits (classes × batch) and integer class labels
    /// (1 × batch, stored as floats), the one-hot target smoothed to (1 - s) · onehot + s / K.
    virtual void softmax_cross_entropy(const Tensor& logits,
                                       const Tensor& labels,
                                       const Tensor& weights,
                                       float label_smoothing,
                                       Tensor grad,
                                       Tensor loss) = 0;

    /// Mean squared error, mean absolute error or Huber loss (delta as torch.nn.HuberLoss) of
    /// predictions against targets (same shape).
    virtual void regression_loss(RegressionLoss kind,
                                 float delta,
                                 const Tensor& predictions,
                                 const Tensor& targets,
                                 const Tensor& weights,
                                 Tensor grad,
                                 Tensor loss) = 0;

    // ---- optimisation -------------------------------------------------------------------------

    /// dst[:, i] = src[:, indices[i]] for i < dst.cols; `indices` is host memory.
    virtual void gather_columns(const Tensor& src, const std::uint32_t* indices, Tensor dst) = 0;

    /// Copies `count` column indices (host memory) into the backend's memory, replacing the ones
    /// staged before: an epoch's sample order goes to the device once, not with every batch.
    virtual void stage_column_indices(const std::uint32_t* indices, std::int64_t count) = 0;
    /// dst[:, i] = src[:, staged[first + i]] for i < dst.cols.
    virtual void gather_staged_columns(const Tensor& src, std::int64_t first, Tensor dst) = 0;

    /// g += l1 · sign(w) + 2 · l2 · w (kernel penalties l1 Σ|w| + l2 Σw²).
    virtual void add_penalty_gradient(const Tensor& w, Tensor g, float l1, float l2) = 0;

    /// Σ x², accumulated in double.
    virtual double squared_norm(const Tensor& x) = 0;
    /// x *= factor.
    virtual void scale(Tensor x, float factor) = 0;
    /// x = min(max(x, lo), hi).
    virtual void clamp(Tensor x, float lo, float hi) = 0;

    /// One fused update of every parameter. `state` holds the optimizer's slots, each as large as
    /// `params`: sgd [momentum buffer], adam [m, v], rmsprop [square avg, momentum buffer,
    /// grad avg], adagrad [sum]; unused slots may be empty.
    virtual void optimizer_update(const OptimizerStep& step,
                                  Tensor params,
                                  const Tensor& grads,
                                  Tensor state0,
                                  Tensor state1,
                                  Tensor state2) = 0;
    /// The tensors that tile the buffer passed to optimizer_update as `params`, in order. A
    /// backend may split the update along them, so that each part of a weight matrix is updated
    /// by the thread whose products use it; the default ignores them.
    virtual void set_parameter_layout(const std::vector<Tensor>& tensors) { (void)tensors; }
};

/// The factor of a kept element in dropout of `rate` (every backend's, bit for bit).
inline float dropout_keep_scale(float rate) { return 1.0f / (1.0f - rate); }
/// Dropout keeps an element when its 16-bit draw is >= this, floor(rate · 2^16). Two draws a
/// Philox word: the words cost more than applying them.
inline std::uint32_t dropout_threshold(float rate) {
    return static_cast<std::uint32_t>(rate * 65536.0f);
}

// Inline, so that the CUDA module (which does not link dlctl_backend) has them.

inline void Backend::bias_relu_dropout_forward(float rate,
                                               std::uint64_t seed,
                                               std::uint64_t substream,
                                               std::uint64_t offset,
                                               const Tensor& bias,
                                               Tensor y) {
    bias_activation_forward(Activation{ActivationKind::kRelu}, bias, y, y);
    dropout_forward(rate, seed, substream, offset, y, Tensor{}, y);
}

inline void Backend::relu_dropout_bias_backward(
    float rate, const Tensor& y, Tensor dy, Tensor dz, Tensor bias_grad, bool accumulate) {
    scale(dy, dropout_keep_scale(rate));
    // relu' of the output: a dropped element's output is 0, like a negative one's.
    activation_bias_backward(Activation{ActivationKind::kRelu}, y, y, dy, dz, bias_grad,
                             accumulate);
}

/// The backend for `device`. `auto` picks CUDA when it is built and a GPU is usable, else the
/// CPU (logged once). `threads` bounds the CPU threads of GEMMs (0: all cores); `tf32` lets GPU
/// GEMMs use TF32 tensor cores (the CPU ignores it). Throws DeviceError when the device cannot
/// be used.
std::unique_ptr<Backend> make_backend(const Device& device, int threads = 0, bool tf32 = false);

}  // namespace dlctl
