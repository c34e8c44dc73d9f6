#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "dlctl/backend/activation.h"
#include "dlctl/backend/buffer.h"
#include "dlctl/backend/formulas.h"
#include "dlctl/backend/optimizer_step.h"
#include "dlctl/core/device.h"
#include "dlctl/core/error.h"
#include "dlctl/core/tensor.h"

namespace dlctl {

/// Every numeric operation the engine performs. Layers, losses and optimizers call only this
/// interface; the CPU implementation uses Eigen, the CUDA one cuBLAS and kernels. Tensors are
/// float32, column-major, features × samples, and live in this backend's memory. No operation
/// allocates; callers pass preallocated outputs. An empty tensor (null data) means "absent"
/// where a parameter says it is optional.
class Communicator;

/// Collectives among ranks that a device runs itself, on tensors in its memory (NCCL between
/// CUDA GPUs). They follow Communicator's order of calls; their sums are the same on every rank
/// but in the device library's order, not Communicator::sum's.
class DeviceCollectives {
  public:
    virtual ~DeviceCollectives() = default;
    /// `t` summed over the ranks, in place.
    virtual void sum(const Tensor& t) = 0;
    /// Rank 0's `t` on every rank.
    virtual void broadcast(const Tensor& t) = 0;
};

class Backend {
  public:
    virtual ~Backend() = default;

    virtual Device device() const = 0;
    /// The device's own collectives among `ranks` (every rank calls this together); null where
    /// it has none, and the host's Communicator sums through host memory.
    virtual std::unique_ptr<DeviceCollectives> join_ranks(Communicator& ranks) {
        (void)ranks;
        return nullptr;
    }

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
    /// a = act(x) and out[r, c] = x + mix[r] · (a - x) for an elementwise act (mix rows × 1): a
    /// learned blend of x and act(x) per row (RealMLP's parametric activation). a is kept for
    /// backward.
    virtual void parametric_activation_forward(
        Activation act, const Tensor& x, const Tensor& mix, Tensor a, Tensor out) = 0;
    /// Given a = act(x): dx = dy ⊙ (1 + mix[r] · (act'(x) - 1)), and mix_grad[r] += Σ_c dy ⊙
    /// (a - x); dx may alias dy, and is skipped when its data is null.
    virtual void parametric_activation_backward(Activation act,
                                                const Tensor& x,
                                                const Tensor& a,
                                                const Tensor& mix,
                                                const Tensor& dy,
                                                Tensor dx,
                                                Tensor mix_grad) = 0;

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

    /// Gradients of batch_norm_forward in training mode: dgamma and dbeta are added to, dx
    /// (optional) is set.
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

    /// Gradients of layer_norm_forward: dgamma and dbeta are added to, dx (optional) is set.
    virtual void layer_norm_backward(const Tensor& x,
                                     const Tensor& gamma,
                                     const Tensor& saved_mean,
                                     const Tensor& saved_inv_std,
                                     const Tensor& dy,
                                     Tensor dx,
                                     Tensor dgamma,
                                     Tensor dbeta) = 0;

    // ---- losses --------------------------------------------------------------------------------
    // A loss writes the batch's sums = {Σ w·ℓ, Σ w} (2 floats in this backend's memory; w = 1
    // without weights, 1 × batch otherwise) and, when grad is given, d(Σ w·ℓ)/d input divided by
    // `divisor`: the caller's Σ w of its whole step, so that grad is that of the step's mean.

    /// Sigmoid fused with binary cross-entropy on logits (1 × batch) and 0/1 targets, smoothed
    /// to y (1 - s) + s / 2. Stable for any |z|.
    virtual void sigmoid_cross_entropy(const Tensor& logits,
                                       const Tensor& targets,
                                       const Tensor& weights,
                                       float label_smoothing,
                                       double divisor,
                                       Tensor grad,
                                       Tensor sums) = 0;

    /// Softmax fused with cross-entropy on logits (classes × batch) and integer class labels
    /// (1 × batch, stored as floats), the one-hot target smoothed to (1 - s) · onehot + s / K. A
    /// label outside [0, K) makes the loss NaN (the caller checks its data).
    virtual void softmax_cross_entropy(const Tensor& logits,
                                       const Tensor& labels,
                                       const Tensor& weights,
                                       float label_smoothing,
                                       double divisor,
                                       Tensor grad,
                                       Tensor sums) = 0;

    /// Squared error, absolute error or Huber loss (delta as torch.nn.HuberLoss) of predictions
    /// against targets (same shape); a sample's ℓ is the mean over its rows.
    virtual void regression_loss(RegressionLoss kind,
                                 float delta,
                                 const Tensor& predictions,
                                 const Tensor& targets,
                                 const Tensor& weights,
                                 double divisor,
                                 Tensor grad,
                                 Tensor sums) = 0;

    // ---- ensembles -----------------------------------------------------------------------------
    // An ensemble of k members runs as one model whose tensors give each sample k adjacent
    // columns, one a member: a (rows × k·batch) tensor is the same memory as (k·rows × batch),
    // where member m of a sample holds rows [m·rows, (m + 1)·rows) of its column.

    /// out[:, j] = x[:, j / k] with k = out.cols / x.cols: each column repeated k times.
    virtual void repeat_columns(const Tensor& x, Tensor out) = 0;
    /// out[:, j] = scale · Σ_{g<k} x[:, j·k + g] with k = x.cols / out.cols: the sum (or mean) of
    /// each run of k adjacent columns.
    virtual void sum_column_groups(const Tensor& x, float scale, Tensor out) = 0;
    /// out[r, c] = x[r, c] · factors[r] (factors rows × 1); out may alias x.
    virtual void scale_rows(const Tensor& x, const Tensor& factors, Tensor out) = 0;
    /// out[r] += Σ_c a[r, c] · b[r, c] (out rows × 1): the gradient of a row scaling.
    virtual void add_row_products(const Tensor& a, const Tensor& b, Tensor out) = 0;
    /// Logits whose output activation gives the probabilities `p` back: log(p / (1 - p)) for
    /// sigmoid, log(p) for softmax, each probability held in [1e-30, 1 - 6e-8] so that a 0 or a
    /// rounded 1 stays finite. The loss of an averaged prediction is that of these logits.
    virtual void probability_logits(Activation act, const Tensor& p, Tensor logits) = 0;
    /// c_i = alpha · op(a_i) · op(b_i) + beta · c_i for i < count: independent products on
    /// matrices laid out with a stride (each member's head of an ensemble); the inner dimension
    /// is not 0.
    virtual void gemm_batched(bool transpose_a,
                              bool transpose_b,
                              float alpha,
                              const MatrixBatch& a,
                              const MatrixBatch& b,
                              float beta,
                              const MatrixBatch& c,
                              std::int64_t count) = 0;

    // ---- numeric embeddings --------------------------------------------------------------------

    /// Periodic features of some input rows (Gorishniy et al. 2022), with k = frequencies.rows:
    /// for feature i < frequencies.cols (input row rows[i]) and j < k, z = 2π · frequencies[j, i]
    /// · x[rows[i], c], v[2k·i + j, c] = cos z and v[2k·i + k + j, c] = sin z. `rows` is this
    /// backend's memory.
    virtual void periodic_forward(const Tensor& x,
                                  const std::uint32_t* rows,
                                  const Tensor& frequencies,
                                  Tensor v) = 0;
    /// The gradient of periodic_forward, given its v and dv = d loss / d v: with
    /// g = cos z · dv[sin z] - sin z · dv[cos z], frequency_grad[j, i] += Σ_c 2π x[rows[i], c] · g
    /// and, when dx.data is not null, dx[rows[i], c] = Σ_j 2π frequencies[j, i] · g (the other
    /// rows of dx are left as they are).
    virtual void periodic_backward(const Tensor& x,
                                   const std::uint32_t* rows,
                                   const Tensor& frequencies,
                                   const Tensor& v,
                                   const Tensor& dv,
                                   Tensor frequency_grad,
                                   Tensor dx) = 0;
    /// Learned embeddings of category inputs, with d = out.rows / count: for feature i < count,
    /// whose input row rows[i] holds a category's index v (a float), out[d·i + u, c] =
    /// table[u, offsets[i] + v] (table d × Σ vocabulary sizes). `rows` and `offsets` are this
    /// backend's memory; every index must lie in its feature's vocabulary.
    virtual void embedding_forward(const Tensor& x,
                                   const std::uint32_t* rows,
                                   const std::uint32_t* offsets,
                                   std::int64_t count,
                                   const Tensor& table,
                                   Tensor out) = 0;
    /// table_grad[u, offsets[i] + v] += d_out[d·i + u, c] for every column c, in column order:
    /// the gradient of embedding_forward.
    virtual void embedding_backward(const Tensor& x,
                                    const std::uint32_t* rows,
                                    const std::uint32_t* offsets,
                                    std::int64_t count,
                                    const Tensor& d_out,
                                    Tensor table_grad) = 0;
    /// dst[dst_rows[i], c] = src[src_rows[i], c] for i < count and every column c (src.cols ==
    /// dst.cols); the row lists are this backend's memory.
    virtual void copy_rows(const Tensor& src,
                           const std::uint32_t* src_rows,
                           Tensor dst,
                           const std::uint32_t* dst_rows,
                           std::int64_t count) = 0;

    // ---- optimisation -------------------------------------------------------------------------

    /// Zero-initialised storage for `count` column indices; DeviceError when memory runs out.
    virtual IndexBuffer allocate_indices(std::int64_t count) = 0;
    /// Copies `count` indices from host memory to `dst` (this backend's memory).
    virtual void upload_indices(const std::uint32_t* host,
                                std::int64_t count,
                                std::uint32_t* dst) = 0;
    /// dst[:, i] = src[:, indices[i]] for i < dst.cols; `indices` is this backend's memory and
    /// every index is below src.cols (the caller's check).
    virtual void gather_columns(const Tensor& src, const std::uint32_t* indices, Tensor dst) = 0;

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
};

/// The shape checks of Backend::parametric_activation_forward and _backward, one for every
/// backend: `like_x` (out, or dy) and a shaped as x, a mix per row, an elementwise activation.
inline void check_parametric_activation(
    Activation act, const Tensor& x, const Tensor& a, const Tensor& mix, const Tensor& like_x) {
    DLCTL_CHECK(like_x.rows == x.rows && like_x.cols == x.cols && a.size() == x.size() &&
                mix.size() == x.rows);
    DLCTL_CHECK(act.kind != ActivationKind::kSoftmax);
}

/// The inner dimension of Backend::gemm_batched's products, after checking that the shapes fit,
/// that it is not 0, that columns are at least a matrix's rows apart and that cuBLAS's and
/// OpenBLAS's int arguments hold every size: one check for every backend.
inline std::int64_t checked_batched_inner(bool transpose_a,
                                          bool transpose_b,
                                          const MatrixBatch& a,
                                          const MatrixBatch& b,
                                          const MatrixBatch& c,
                                          std::int64_t count) {
    const std::int64_t inner = transpose_a ? a.rows : a.cols;
    DLCTL_CHECK((transpose_a ? a.cols : a.rows) == c.rows);
    DLCTL_CHECK((transpose_b ? b.rows : b.cols) == c.cols);
    DLCTL_CHECK(inner == (transpose_b ? b.cols : b.rows) && inner > 0);
    DLCTL_CHECK(a.ld >= std::max<std::int64_t>(a.rows, 1) &&
                b.ld >= std::max<std::int64_t>(b.rows, 1) &&
                c.ld >= std::max<std::int64_t>(c.rows, 1));
    constexpr std::int64_t kMax = std::numeric_limits<int>::max();
    DLCTL_CHECK(c.rows <= kMax && c.cols <= kMax && inner <= kMax && a.ld <= kMax && b.ld <= kMax &&
                c.ld <= kMax && count <= kMax);
    return inner;
}

/// The factor of a kept element in dropout of `rate` (every backend's, bit for bit).
inline float dropout_keep_scale(float rate) { return 1.0f / (1.0f - rate); }
/// Dropout keeps an element when its 16-bit draw is >= this, floor(rate · 2^16). Two draws a
/// Philox word: the words cost more than applying them.
inline std::uint32_t dropout_threshold(float rate) {
    return static_cast<std::uint32_t>(rate * 65536.0f);
}

/// The backend for `device`. `auto` picks CUDA when it is built and a GPU is usable, else the
/// CPU (logged once). `threads` bounds the CPU threads of GEMMs (0: all cores); `tf32` lets GPU
/// GEMMs use TF32 tensor cores (the CPU ignores it). Throws DeviceError when the device cannot
/// be used.
std::unique_ptr<Backend> make_backend(const Device& device, int threads = 0, bool tf32 = false);

}  // namespace dlctl
