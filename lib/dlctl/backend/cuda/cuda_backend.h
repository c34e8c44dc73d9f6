#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "dlctl/backend/backend.h"

namespace dlctl {

/// The Backend on one NVIDIA GPU: cuBLAS for GEMMs, dlctl's kernels for everything else, all on
/// one stream, so operations run in the order they are called and only the calls that return
/// values to the host (download, squared_norm) wait for the GPU. Numerics follow the CPU
/// backend, the reference: same formulas, reductions in double where it uses double, and the
/// same counter-based dropout masks.
class CudaBackend final : public Backend {
  public:
    /// `tf32`: GEMMs on TF32 tensor cores (inputs rounded to 10-bit mantissas, fp32 sums).
    CudaBackend(int index, bool tf32);
    ~CudaBackend() override;
    CudaBackend(const CudaBackend&) = delete;
    CudaBackend& operator=(const CudaBackend&) = delete;

    Device device() const override { return {DeviceKind::kCuda, index_}; }
    std::unique_ptr<DeviceCollectives> join_ranks(Communicator& ranks) override;

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

    // cuda_ensembles.cu
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

    // cuda_embeddings.cu
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

  private:
    void release() noexcept;
    /// out = Σ_c x (or out += Σ_c x when `accumulate`).
    void sum_columns_into(const Tensor& x, Tensor out, bool accumulate);

    int index_;
    cudaStream_t stream_ = nullptr;
    cublasHandle_t cublas_ = nullptr;
    double* norm_accumulator_ = nullptr;  ///< device: squared_norm's result
    double* norm_result_ = nullptr;       ///< pinned host copy of it
};

}  // namespace dlctl
