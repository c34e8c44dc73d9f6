#pragma once

#include "dlctl/backend/backend.h"

namespace dlctl {

/// The reference backend: host memory, Eigen for GEMM and vectorised elementwise work.
class CpuBackend final : public Backend {
  public:
    Device device() const override { return {DeviceKind::kCpu, 0}; }

    Buffer allocate(std::int64_t count) override;
    void upload(const float* host, Tensor dst) override;
    void download(const Tensor& src, float* host) override;
    void fill(Tensor t, float value) override;
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
    void sum_columns(const Tensor& x, Tensor out) override;
    void dropout_forward(float rate,
                         std::uint64_t seed,
                         std::uint64_t substream,
                         std::uint64_t offset,
                         const Tensor& x,
                         Tensor mask,
                         Tensor y) override;
    void multiply(const Tensor& a, const Tensor& b, Tensor out) override;
    void sigmoid_bce_with_logits(const Tensor& logits,
                                 const Tensor& targets,
                                 Tensor grad,
                                 Tensor loss) override;
    void squared_error(const Tensor& predictions,
                       const Tensor& targets,
                       Tensor grad,
                       Tensor loss) override;
    void activation(Activation act, const Tensor& x, Tensor out) override;
    void gather_columns(const Tensor& src, const std::uint32_t* indices, Tensor dst) override;
    void sgd_update(
        Tensor params, const Tensor& grads, Tensor velocity, float lr, float momentum) override;
};

}  // namespace dlctl
