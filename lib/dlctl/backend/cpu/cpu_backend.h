#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <vector>

#include "dlctl/backend/backend.h"

namespace dlctl {

/// The reference backend: host memory, OpenBLAS for GEMM, Eigen and plain loops for elementwise
/// work. Members are defined by family: cpu_backend.cpp (memory, GEMM, elementwise, dropout),
/// cpu_losses.cpp, cpu_normalization.cpp, cpu_optimizers.cpp and cpu_ensembles.cpp; activations
/// live in cpu_activations.cpp.
class CpuBackend final : public Backend {
  public:
    /// `threads`: threads for matrix products (0: all cores; results are reproducible for a
    /// given count).
    explicit CpuBackend(int threads = 1);

    Device device() const override { return {DeviceKind::kCpu, 0}; }
    /// Threads of products and large elementwise passes, and the most lanes run_lanes runs.
    int threads() const { return threads_; }
    /// Calls body(lane, backend) for lanes 0..count-1 side by side, one a thread, each with a
    /// backend of its own (single-threaded products) that only that call uses; rethrows the
    /// first lane's exception after all have ended.
    void run_lanes(int count, const std::function<void(int, CpuBackend&)>& body);

    Buffer allocate(std::int64_t count) override;
    void upload(const float* host, Tensor dst) override;
    void download(const Tensor& src, float* host) override;
    void fill(Tensor t, float value) override;
    void copy(const Tensor& src, Tensor dst) override;
    void add(const Tensor& x, Tensor y) override;

    void gemm(bool transpose_a,
              bool transpose_b,
              float alpha,
              const Tensor& a,
              const Tensor& b,
              float beta,
              Tensor c) override;
    void bias_activation_forward(Activation act, const Tensor& bias, Tensor z, Tensor a) override;
    void activation_backward(
        Activation act, const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz) override;
    void activation_bias_backward(Activation act,
                                  const Tensor& z,
                                  const Tensor& a,
                                  const Tensor& da,
                                  Tensor dz,
                                  Tensor bias_grad,
                                  bool accumulate) override;
    void activation(Activation act, const Tensor& x, Tensor out) override;
    void parametric_activation_forward(
        Activation act, const Tensor& x, const Tensor& mix, Tensor a, Tensor out) override;
    void parametric_activation_backward(Activation act,
                                        const Tensor& x,
                                        const Tensor& a,
                                        const Tensor& mix,
                                        const Tensor& dy,
                                        Tensor dx,
                                        Tensor mix_grad) override;
    void sum_columns(const Tensor& x, Tensor out) override;

    void dropout_forward(float rate,
                         std::uint64_t seed,
                         std::uint64_t substream,
                         std::uint64_t offset,
                         const Tensor& x,
                         Tensor mask,
                         Tensor y) override;
    void multiply(const Tensor& a, const Tensor& b, Tensor out) override;
    void batch_norm_forward(bool training,
                            float momentum,
                            float eps,
                            const Tensor& x,
                            const Tensor& gamma,
                            const Tensor& beta,
                            Tensor running_mean,
                            Tensor running_var,
                            Tensor saved_mean,
                            Tensor saved_inv_std,
                            Tensor y) override;
    void batch_norm_backward(const Tensor& x,
                             const Tensor& gamma,
                             const Tensor& saved_mean,
                             const Tensor& saved_inv_std,
                             const Tensor& dy,
                             Tensor dx,
                             Tensor dgamma,
                             Tensor dbeta) override;
    void layer_norm_forward(float eps,
                            const Tensor& x,
                            const Tensor& gamma,
                            const Tensor& beta,
                            Tensor saved_mean,
                            Tensor saved_inv_std,
                            Tensor y) override;
    void layer_norm_backward(const Tensor& x,
                             const Tensor& gamma,
                             const Tensor& saved_mean,
                             const Tensor& saved_inv_std,
                             const Tensor& dy,
                             Tensor dx,
                             Tensor dgamma,
                             Tensor dbeta) override;

    void sigmoid_cross_entropy(const Tensor& logits,
                               const Tensor& targets,
                               const Tensor& weights,
                               float label_smoothing,
                               double divisor,
                               Tensor grad,
                               Tensor sums) override;
    void softmax_cross_entropy(const Tensor& logits,
                               const Tensor& labels,
                               const Tensor& weights,
                               float label_smoothing,
                               double divisor,
                               Tensor grad,
                               Tensor sums) override;
    void regression_loss(RegressionLoss kind,
                         float delta,
                         const Tensor& predictions,
                         const Tensor& targets,
                         const Tensor& weights,
                         double divisor,
                         Tensor grad,
                         Tensor sums) override;

    // cpu_ensembles.cpp
    void repeat_columns(const Tensor& x, Tensor out) override;
    void sum_column_groups(const Tensor& x, float scale, Tensor out) override;
    void scale_rows(const Tensor& x, const Tensor& factors, Tensor out) override;
    void add_row_products(const Tensor& a, const Tensor& b, Tensor out) override;
    void probability_logits(Activation act, const Tensor& p, Tensor logits) override;
    void gemm_batched(bool transpose_a,
                      bool transpose_b,
                      float alpha,
                      const MatrixBatch& a,
                      const MatrixBatch& b,
                      float beta,
                      const MatrixBatch& c,
                      std::int64_t count) override;

    // cpu_embeddings.cpp
    void periodic_forward(const Tensor& x,
                          const std::uint32_t* rows,
                          const Tensor& frequencies,
                          Tensor v) override;
    void periodic_backward(const Tensor& x,
                           const std::uint32_t* rows,
                           const Tensor& frequencies,
                           const Tensor& v,
                           const Tensor& dv,
                           Tensor frequency_grad,
                           Tensor dx) override;
    void embedding_forward(const Tensor& x,
                           const std::uint32_t* rows,
                           const std::uint32_t* offsets,
                           std::int64_t count,
                           const Tensor& table,
                           Tensor out) override;
    void embedding_backward(const Tensor& x,
                            const std::uint32_t* rows,
                            const std::uint32_t* offsets,
                            std::int64_t count,
                            const Tensor& d_out,
                            Tensor table_grad) override;
    void copy_rows(const Tensor& src,
                   const std::uint32_t* src_rows,
                   Tensor dst,
                   const std::uint32_t* dst_rows,
                   std::int64_t count) override;

    IndexBuffer allocate_indices(std::int64_t count) override;
    void upload_indices(const std::uint32_t* host, std::int64_t count, std::uint32_t* dst) override;
    void gather_columns(const Tensor& src, const std::uint32_t* indices, Tensor dst) override;
    void add_penalty_gradient(const Tensor& w, Tensor g, float l1, float l2) override;
    double squared_norm(const Tensor& x) override;
    void scale(Tensor x, float factor) override;
    void clamp(Tensor x, float lo, float hi) override;
    void optimizer_update(const OptimizerStep& step,
                          Tensor params,
                          const Tensor& grads,
                          Tensor state0,
                          Tensor state1,
                          Tensor state2) override;

    // ---- the CPU's own operations, for its step executor --------------------------------------

    /// The tensors that tile the buffer passed to optimizer_update as `params`, in order: the
    /// update is then split along them, so that each part of a weight matrix is updated by the
    /// thread whose products use it.
    void set_parameter_layout(const std::vector<Tensor>& tensors);

    /// A dense layer's input gradient dx = wᵀ · dz where its input x is nonzero. Elements where x
    /// is zero are the product's or zero: the caller guarantees that nothing reads them (the
    /// layer before passes no gradient where its output is zero).
    void input_gradient_where_nonzero(const Tensor& w,
                                      const Tensor& dz,
                                      const Tensor& x,
                                      Tensor dx);

    /// A dense layer's relu and the dropout after it, in place and without a mask: y =
    /// relu(y + bias) ⊙ keep, keep as dropout_forward draws it. The gradient needs only y
    /// (relu_dropout_bias_backward): an element passes its gradient iff it is positive and kept.
    void bias_relu_dropout_forward(float rate,
                                   std::uint64_t seed,
                                   std::uint64_t substream,
                                   std::uint64_t offset,
                                   const Tensor& bias,
                                   Tensor y);
    /// The gradient of bias_relu_dropout_forward from its output y: dz = dy · (1 / (1 - rate))
    /// where y > 0, else 0, and bias_grad = Σ_c dz (optional; `accumulate` adds to it). dz may
    /// alias dy, not y.
    void relu_dropout_bias_backward(
        float rate, const Tensor& y, Tensor dy, Tensor dz, Tensor bias_grad, bool accumulate);

  private:
    struct LaneTag {};
    /// A lane: one thread, and OpenBLAS's global thread setting left alone.
    explicit CpuBackend(LaneTag);

    /// Sets dz block by block with block_gradient(first_column, last_column), which writes
    /// those columns of dz (or nothing, to sum dz as it is), and sums = Σ_c dz (when present;
    /// added to sums when `accumulate`) in the same pass.
    template <typename BlockGradient>
    void backward_and_sum(const BlockGradient& block_gradient,
                          const Tensor& dz,
                          Tensor sums,
                          bool accumulate);

    int threads_ = 1;                                 ///< for products and large elementwise passes
    std::vector<std::unique_ptr<CpuBackend>> lanes_;  ///< run_lanes' backends, when threads_ > 1
    std::vector<std::exception_ptr> lane_errors_;     ///< run_lanes' (no allocation a step)
    /// A column-major tensor of the parameter buffer: where it starts, and its shape.
    struct ParameterBlock {
        std::int64_t offset, rows, cols;
    };
    /// Whether a dense layer's product gives each thread the weight columns it owns (see
    /// gemm_by_weight_columns).
    bool splits_by_weight_columns(bool transpose_a,
                                  bool transpose_b,
                                  const Tensor& a,
                                  const Tensor& c,
                                  std::int64_t inner) const;
    void gemm_by_weight_columns(bool transpose_a,
                                bool transpose_b,
                                float alpha,
                                const Tensor& a,
                                const Tensor& b,
                                float beta,
                                Tensor c,
                                std::int64_t inner,
                                bool skip_zeros);

    std::vector<ParameterBlock> parameter_layout_;  ///< empty: update the buffer as one block
    std::int64_t parameter_layout_floats_ = 0;      ///< how many floats parameter_layout_ tiles
    std::vector<float> partial_products_;           ///< other threads' parts of a split product
    std::vector<float> partial_sums_;               ///< other threads' parts of a sum over columns
};

}  // namespace dlctl
