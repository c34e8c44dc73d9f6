#pragma once

#include "dlctl/backend/backend.h"

/// Plain loops behind CpuBackend, one family per file (cpu_losses.cpp, cpu_normalization.cpp,
/// cpu_optimizers.cpp). Contracts as in Backend.
namespace dlctl::cpu {

void sigmoid_cross_entropy(const Tensor& logits,
                           const Tensor& targets,
                           const Tensor& weights,
                           float label_smoothing,
                           Tensor grad,
                           Tensor loss);
void softmax_cross_entropy(const Tensor& logits,
                           const Tensor& labels,
                           const Tensor& weights,
                           float label_smoothing,
                           Tensor grad,
                           Tensor loss);
void regression_loss(RegressionLoss kind,
                     float delta,
                     const Tensor& predictions,
                     const Tensor& targets,
                     const Tensor& weights,
                     Tensor grad,
                     Tensor loss);

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
                        Tensor y);
void batch_norm_backward(const Tensor& x,
                         const Tensor& gamma,
                         const Tensor& saved_mean,
                         const Tensor& saved_inv_std,
                         const Tensor& dy,
                         Tensor dx,
                         Tensor dgamma,
                         Tensor dbeta);
void layer_norm_forward(float eps,
                        const Tensor& x,
                        const Tensor& gamma,
                        const Tensor& beta,
                        Tensor saved_mean,
                        Tensor saved_inv_std,
                        Tensor y);
void layer_norm_backward(const Tensor& x,
                         const Tensor& gamma,
                         const Tensor& saved_mean,
                         const Tensor& saved_inv_std,
                         const Tensor& dy,
                         Tensor dx,
                         Tensor dgamma,
                         Tensor dbeta);

void optimizer_update(const OptimizerStep& step,
                      Tensor params,
                      const Tensor& grads,
                      Tensor state0,
                      Tensor state1,
                      Tensor state2);

}  // namespace dlctl::cpu
