#include <cmath>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/formulas.h"
#include "dlctl/core/error.h"

namespace dlctl {

namespace {
float at(const Tensor& t, std::int64_t r, std::int64_t c) { return t.data[c * t.rows + r]; }
float& at(Tensor& t, std::int64_t r, std::int64_t c) { return t.data[c * t.rows + r]; }
}  // namespace

void CpuBackend::batch_norm_forward(bool training,
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
    const std::int64_t features = x.rows, n = x.cols;
    DLCTL_CHECK(y.rows == features && y.cols == n && gamma.size() == features);
    for (std::int64_t f = 0; f < features; ++f) {
        double mean = 0.0, var = 0.0;
        if (training) {
            for (std::int64_t c = 0; c < n; ++c) mean += at(x, f, c);
            mean /= static_cast<double>(n);
            for (std::int64_t c = 0; c < n; ++c) {
                const double d = at(x, f, c) - mean;
                var += d * d;
            }
            const double biased = var / static_cast<double>(n);
            // One row has no variance to estimate: the running statistics stay as they are.
            if (n > 1) {
                const double unbiased = var / static_cast<double>(n - 1);
                running_mean.data[f] =
                    formulas::running_statistic(running_mean.data[f], mean, momentum);
                running_var.data[f] =
                    formulas::running_statistic(running_var.data[f], unbiased, momentum);
            }
            var = biased;
        } else {
            mean = running_mean.data[f];
            var = running_var.data[f];
        }
        const float inv_std = formulas::inverse_std(var, eps);
        saved_mean.data[f] = static_cast<float>(mean);
        saved_inv_std.data[f] = inv_std;
        const float g = gamma.data[f], b = beta.data[f], m = static_cast<float>(mean);
        for (std::int64_t c = 0; c < n; ++c) {
            at(y, f, c) = formulas::normalize(at(x, f, c), m, inv_std, g, b);
        }
    }
}

void CpuBackend::batch_norm_backward(const Tensor& x,
                                     const Tensor& gamma,
                                     const Tensor& saved_mean,
                                     const Tensor& saved_inv_std,
                                     const Tensor& dy,
                                     Tensor dx,
                                     Tensor dgamma,
                                     Tensor dbeta) {
    const std::int64_t features = x.rows, n = x.cols;
    for (std::int64_t f = 0; f < features; ++f) {
        const float m = saved_mean.data[f], inv_std = saved_inv_std.data[f];
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (std::int64_t c = 0; c < n; ++c) {
            const double xhat = (at(x, f, c) - m) * inv_std;
            sum_dy += at(dy, f, c);
            sum_dy_xhat += at(dy, f, c) * xhat;
        }
        dgamma.data[f] += static_cast<float>(sum_dy_xhat);
        dbeta.data[f] += static_cast<float>(sum_dy);
        if (dx.data == nullptr) continue;
        const double scale = gamma.data[f] * inv_std / static_cast<double>(n);
        for (std::int64_t c = 0; c < n; ++c) {
            const double xhat = (at(x, f, c) - m) * inv_std;
            at(dx, f, c) = formulas::normalization_input_gradient(
                scale, static_cast<double>(n), at(dy, f, c), sum_dy, xhat, sum_dy_xhat);
        }
    }
}

void CpuBackend::layer_norm_forward(float eps,
                                    const Tensor& x,
                                    const Tensor& gamma,
                                    const Tensor& beta,
                                    Tensor saved_mean,
                                    Tensor saved_inv_std,
                                    Tensor y) {
    const std::int64_t features = x.rows, n = x.cols;
    DLCTL_CHECK(y.rows == features && y.cols == n && saved_mean.size() >= n);
    for (std::int64_t c = 0; c < n; ++c) {
        double mean = 0.0, var = 0.0;
        for (std::int64_t f = 0; f < features; ++f) mean += at(x, f, c);
        mean /= static_cast<double>(features);
        for (std::int64_t f = 0; f < features; ++f) {
            const double d = at(x, f, c) - mean;
            var += d * d;
        }
        var /= static_cast<double>(features);
        const float inv_std = formulas::inverse_std(var, eps);
        saved_mean.data[c] = static_cast<float>(mean);
        saved_inv_std.data[c] = inv_std;
        for (std::int64_t f = 0; f < features; ++f) {
            at(y, f, c) = formulas::normalize(at(x, f, c), static_cast<float>(mean), inv_std,
                                              gamma.data[f], beta.data[f]);
        }
    }
}

void CpuBackend::layer_norm_backward(const Tensor& x,
                                     const Tensor& gamma,
                                     const Tensor& saved_mean,
                                     const Tensor& saved_inv_std,
                                     const Tensor& dy,
                                     Tensor dx,
                                     Tensor dgamma,
                                     Tensor dbeta) {
    const std::int64_t features = x.rows, n = x.cols;
    for (std::int64_t c = 0; c < n; ++c) {
        const float m = saved_mean.data[c], inv_std = saved_inv_std.data[c];
        double sum_g = 0.0, sum_g_xhat = 0.0;
        for (std::int64_t f = 0; f < features; ++f) {
            const float xhat = (at(x, f, c) - m) * inv_std;
            dgamma.data[f] += at(dy, f, c) * xhat;
            dbeta.data[f] += at(dy, f, c);
            const double g = static_cast<double>(gamma.data[f]) * at(dy, f, c);
            sum_g += g;
            sum_g_xhat += g * xhat;
        }
        if (dx.data == nullptr) continue;
        const double scale = inv_std / static_cast<double>(features);
        for (std::int64_t f = 0; f < features; ++f) {
            const double xhat = (at(x, f, c) - m) * inv_std;
            const double g = static_cast<double>(gamma.data[f]) * at(dy, f, c);
            at(dx, f, c) = formulas::normalization_input_gradient(
                scale, static_cast<double>(features), g, sum_g, xhat, sum_g_xhat);
        }
    }
}

}  // namespace dlctl
