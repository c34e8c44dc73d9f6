#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "dlctl/backend/activation.h"
#include "dlctl/backend/buffer.h"
#include "dlctl/core/device.h"
#include "dlctl/core/tensor.h"

namespace dlctl {

/// Every numeric operation the engine performs. Layers, losses and optimizers call only this
/// interface; the CPU implementation uses Eigen, the CUDA one cuBLAS and kernels. Tensors are
/// float32, column-major, features × samples, and live in this backend's memory. No operation
/// allocates; callers pass preallocated outputs.
class Backend {
  public:
    virtual ~Backend() = default;

    virtual Device device() const = 0;

    /// Zero-initialised storage for `count` floats.
    virtual Buffer allocate(std::int64_t count) = 0;
    virtual void upload(const float* host, Tensor dst) = 0;
    virtual void download(const Tensor& src, float* host) = 0;
    virtual void fill(Tensor t, float value) = 0;

    /// c = alpha * op(a) * op(b) + beta * c, op(x) = x or xᵀ.
    virtual void gemm(bool transpose_a,
                      bool transpose_b,
                      float alpha,
                      const Tensor& a,
                      const Tensor& b,
                      float beta,
                      Tensor c) = 0;

    /// z += bias (broadcast over columns, skipped when bias.data is null), then a = act(z).
    /// `a` may alias `z` only for Activation::kLinear.
    virtual void bias_activation_forward(Activation act,
                                         const Tensor& bias,
                                         Tensor z,
                                         Tensor a) = 0;

    /// dz = da ⊙ act'(z) (computed from z or a = act(z), whichever is cheaper). dz may alias da.
    virtual void activation_backward(
        Activation act, const Tensor& z, const Tensor& a, const Tensor& da, Tensor dz) = 0;

    /// out[r] = Σ_c x[r, c]; out is x.rows × 1. Gives bias gradients.
    virtual void sum_columns(const Tensor& x, Tensor out) = 0;

    /// Inverted dropout: mask[i] = (u_i >= rate) / (1 - rate) with u_i the counter-based uniform
    /// of (seed, RngStream::kDropout, substream, offset + i); y = x ⊙ mask.
    virtual void dropout_forward(float rate,
                                 std::uint64_t seed,
                                 std::uint64_t substream,
                                 std::uint64_t offset,
                                 const Tensor& x,
                                 Tensor mask,
                                 Tensor y) = 0;

    /// out = a ⊙ b (elementwise); out may alias a or b.
    virtual void multiply(const Tensor& a, const Tensor& b, Tensor out) = 0;

    /// Sigmoid fused with binary cross-entropy on logits z (1 × batch) and 0/1 targets:
    /// grad = (σ(z) - y) / batch, loss[0] = mean over the batch. Stable for any |z|.
    virtual void sigmoid_bce_with_logits(const Tensor& logits,
                                         const Tensor& targets,
                                         Tensor grad,
                                         Tensor loss) = 0;

    /// Mean squared error: grad = 2 (p - y) / size, loss[0] = mean of (p - y)².
    virtual void squared_error(const Tensor& predictions,
                               const Tensor& targets,
                               Tensor grad,
                               Tensor loss) = 0;

    /// out = act(x); out may alias x.
    virtual void activation(Activation act, const Tensor& x, Tensor out) = 0;

    /// dst[:, i] = src[:, indices[i]] for i < dst.cols; `indices` is host memory.
    virtual void gather_columns(const Tensor& src, const std::uint32_t* indices, Tensor dst) = 0;

    /// SGD with momentum over one flat parameter buffer (PyTorch semantics, no dampening):
    /// v = momentum · v + g; p -= lr · v. With momentum 0, `velocity` is unused.
    virtual void sgd_update(
        Tensor params, const Tensor& grads, Tensor velocity, float lr, float momentum) = 0;
};

/// The backend for `device`. `auto` picks CUDA when it is built and a GPU is present, else the
/// CPU (logged once). Throws DeviceError or UnsupportedError when the device cannot be used.
std::unique_ptr<Backend> make_backend(const Device& device);

}  // namespace dlctl
