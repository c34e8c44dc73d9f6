#include <algorithm>
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_parallel.h"
#include "dlctl/core/random.h"
#include "support/backends.h"

using namespace dlctl;
using namespace dlctl::test;

namespace {

/// A backend tensor filled from host values (column-major); at() reads one element back.
struct HostTensor {
    HostTensor(Backend& backend,
               std::int64_t rows,
               std::int64_t cols,
               std::vector<float> values = {})
        : backend(&backend),
          buffer(backend.allocate(rows * cols)),
          tensor(buffer.view(rows, cols)) {
        if (!values.empty()) backend.upload(values.data(), tensor);
    }
    float at(std::int64_t r, std::int64_t c) const {
        float value = 0.0f;
        backend->download({tensor.data + c * tensor.rows + r, 1, 1}, &value);
        return value;
    }
    /// The weighted mean of a loss's sums {Σ w·ℓ, Σ w}.
    double mean() const { return at(0, 0) / at(1, 0); }
    Backend* backend;
    Buffer buffer;
    Tensor tensor;
};

std::vector<float> random_values(std::size_t n, std::uint64_t seed) {
    Rng rng(seed, RngStream::kInit);
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(rng.normal());
    return v;
}

}  // namespace

TEST_CASE("gemm matches the definition for every transpose combination", "[backend]") {
    CpuBackend be;
    const std::int64_t m = 3, n = 4, k = 5;
    for (const bool ta : {false, true}) {
        for (const bool tb : {false, true}) {
            HostTensor a(be, ta ? k : m, ta ? m : k, random_values(m * k, 1));
            HostTensor b(be, tb ? n : k, tb ? k : n, random_values(k * n, 2));
            HostTensor c(be, m, n, random_values(m * n, 3));
            std::vector<float> c0(c.tensor.data, c.tensor.data + m * n);
            be.gemm(ta, tb, 0.5f, a.tensor, b.tensor, 2.0f, c.tensor);
            for (std::int64_t i = 0; i < m; ++i) {
                for (std::int64_t j = 0; j < n; ++j) {
                    double sum = 0;
                    for (std::int64_t p = 0; p < k; ++p) {
                        sum += static_cast<double>(ta ? a.at(p, i) : a.at(i, p)) *
                               (tb ? b.at(j, p) : b.at(p, j));
                    }
                    INFO("ta=" << ta << " tb=" << tb << " i=" << i << " j=" << j);
                    CHECK(c.at(i, j) == Approx(0.5 * sum + 2.0 * c0[j * m + i]).margin(1e-5));
                }
            }
        }
    }
}

TEST_CASE("bias + activation forward and backward", "[backend]") {
    CpuBackend be;
    HostTensor bias(be, 2, 1, {1.0f, -1.0f});
    HostTensor z(be, 2, 2, {-2.0f, 0.5f, 0.0f, 3.0f});
    HostTensor a(be, 2, 2);
    be.bias_activation_forward(Activation::kRelu, bias.tensor, z.tensor, a.tensor);
    CHECK(z.at(0, 0) == -1.0f);
    CHECK(z.at(1, 1) == 2.0f);
    CHECK(a.at(0, 0) == 0.0f);
    CHECK(a.at(0, 1) == 1.0f);
    CHECK(a.at(1, 1) == 2.0f);

    HostTensor da(be, 2, 2, {1, 1, 1, 1});
    HostTensor dz(be, 2, 2);
    be.activation_backward(Activation::kRelu, z.tensor, a.tensor, da.tensor, dz.tensor);
    CHECK(std::vector<float>(dz.tensor.data, dz.tensor.data + 4) == std::vector<float>{0, 0, 1, 1});

    be.bias_activation_forward(Activation::kSigmoid, Tensor{}, z.tensor, a.tensor);
    CHECK(a.at(0, 0) == Approx(1.0 / (1.0 + std::exp(1.0))));
    be.activation_backward(Activation::kSigmoid, z.tensor, a.tensor, da.tensor, dz.tensor);
    CHECK(dz.at(0, 0) == Approx(a.at(0, 0) * (1 - a.at(0, 0))));
    be.bias_activation_forward(Activation::kTanh, Tensor{}, z.tensor, a.tensor);
    CHECK(a.at(1, 1) == Approx(std::tanh(2.0)));

    HostTensor sums(be, 2, 1);
    be.sum_columns(z.tensor, sums.tensor);
    CHECK(sums.at(0, 0) == Approx(-1.0f + 1.0f));
    CHECK(sums.at(1, 0) == Approx(-0.5f + 2.0f));
}

TEST_CASE("relu gradients pass exactly where the input is positive and are +0 elsewhere",
          "[backend]") {
    CpuBackend be;
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float tiny = std::numeric_limits<float>::denorm_min();
    // 37 elements: the vector body and the scalar tail.
    std::vector<float> z_values, da_values;
    for (int i = 0; i < 37; ++i) {
        const std::array<float, 6> zs{-1.0f, -0.0f, 0.0f, tiny, 2.0f, -tiny};
        const std::array<float, 5> das{-3.0f, inf, nan, -0.0f, 0.25f};
        z_values.push_back(zs[i % zs.size()]);
        da_values.push_back(das[i % das.size()]);
    }
    const auto n = static_cast<std::int64_t>(z_values.size());
    HostTensor z(be, 1, n, z_values), da(be, 1, n, da_values), dz(be, 1, n);
    HostTensor bias_grad(be, 1, 1);
    for (const float scale : {1.0f, 2.0f}) {
        if (scale == 1.0f) {
            be.activation_backward(Activation::kRelu, z.tensor, z.tensor, da.tensor, dz.tensor);
        } else {
            HostTensor dy(be, 1, n, da_values);
            be.relu_dropout_bias_backward(0.5f, z.tensor, dy.tensor, dz.tensor, bias_grad.tensor,
                                          false);
        }
        for (std::int64_t i = 0; i < n; ++i) {
            INFO("scale " << scale << " element " << i << " z " << z_values[i] << " da "
                          << da_values[i]);
            if (z_values[i] > 0.0f) {
                const float expected = da_values[i] * scale;
                CHECK((std::isnan(expected) ? std::isnan(dz.at(0, i)) : dz.at(0, i) == expected));
                CHECK(std::signbit(dz.at(0, i)) == std::signbit(expected));
            } else {
                CHECK(dz.at(0, i) == 0.0f);
                CHECK_FALSE(std::signbit(dz.at(0, i)));
            }
        }
    }
    // Leaky relu: the input itself (gradient 1) where positive, alpha times it elsewhere.
    const Activation leaky{ActivationKind::kLeakyRelu, 0.125f};
    HostTensor a(be, 1, n);
    be.activation_backward(leaky, z.tensor, a.tensor, da.tensor, dz.tensor);
    be.bias_activation_forward(leaky, Tensor{}, z.tensor, a.tensor);
    for (std::int64_t i = 0; i < n; ++i) {
        INFO("element " << i);
        const bool positive = z_values[i] > 0.0f;
        const float slope = positive ? 1.0f : 0.125f;
        CHECK(a.at(0, i) == z_values[i] * slope);
        const float expected = da_values[i] * slope;
        CHECK((std::isnan(expected) ? std::isnan(dz.at(0, i)) : dz.at(0, i) == expected));
    }
}

// Losses write {Σ w·ℓ, Σ w} and the gradient of Σ w·ℓ divided by the caller's divisor (here the
// batch's Σ w, giving the gradient of the mean).

TEST_CASE("sigmoid binary cross-entropy is exact and stable on extreme logits", "[backend][loss]") {
    for (TestBackend& device : backends_present()) {
        INFO("backend " << device.name);
        Backend& be = *device.backend;
        HostTensor logits(be, 1, 4, {0.0f, 2.0f, -100.0f, 100.0f});
        HostTensor y(be, 1, 4, {1.0f, 0.0f, 0.0f, 0.0f});
        HostTensor grad(be, 1, 4), sums(be, 2, 1);
        be.sigmoid_cross_entropy(logits.tensor, y.tensor, Tensor{}, 0.0f, 4.0, grad.tensor,
                                 sums.tensor);
        const double expected = std::log(2.0) + std::log1p(std::exp(2.0)) + 0.0 + 100.0;
        CHECK(sums.at(0, 0) == Approx(expected));
        CHECK(sums.at(1, 0) == 4.0f);
        CHECK(grad.at(0, 0) == Approx((0.5 - 1.0) / 4));
        CHECK(grad.at(0, 2) == Approx(0.0).margin(1e-12));
        CHECK(grad.at(0, 3) == Approx(0.25));

        // Label smoothing 0.2 turns target 1 into 0.9; weights make a weighted sum.
        HostTensor one(be, 1, 1, {0.0f}), target(be, 1, 1, {1.0f}), g1(be, 1, 1);
        be.sigmoid_cross_entropy(one.tensor, target.tensor, Tensor{}, 0.2f, 1.0, g1.tensor,
                                 sums.tensor);
        CHECK(g1.at(0, 0) == Approx(0.5 - 0.9));
        HostTensor w(be, 1, 4, {1.0f, 3.0f, 0.0f, 0.0f});
        be.sigmoid_cross_entropy(logits.tensor, y.tensor, w.tensor, 0.0f, 4.0, grad.tensor,
                                 sums.tensor);
        CHECK(sums.mean() == Approx((std::log(2.0) + 3 * std::log1p(std::exp(2.0))) / 4.0));
        CHECK(sums.at(1, 0) == 4.0f);
        CHECK(grad.at(0, 2) == 0.0f);
        // Without a gradient: the same sums.
        be.sigmoid_cross_entropy(logits.tensor, y.tensor, w.tensor, 0.0f, 4.0, Tensor{},
                                 sums.tensor);
        CHECK(sums.mean() == Approx((std::log(2.0) + 3 * std::log1p(std::exp(2.0))) / 4.0));
    }
}

TEST_CASE("softmax cross-entropy with integer labels, smoothing and weights", "[backend][loss]") {
    for (TestBackend& device : backends_present()) {
        INFO("backend " << device.name);
        Backend& be = *device.backend;
        HostTensor logits(be, 3, 2, {1, 2, 3, 1000, 0, 0});
        HostTensor labels(be, 1, 2, {2, 1});
        HostTensor grad(be, 3, 2), sums(be, 2, 1);
        HostTensor first_only(be, 1, 2, {1.0f, 0.0f});
        be.softmax_cross_entropy(logits.tensor, labels.tensor, first_only.tensor, 0.0f, 1.0,
                                 grad.tensor, sums.tensor);
        CHECK(sums.mean() == Approx(0.40760596));
        CHECK(grad.at(0, 0) == Approx(0.09003057));
        CHECK(grad.at(2, 0) == Approx(0.66524096 - 1.0));
        CHECK(grad.at(0, 1) == 0.0f);  // weight 0

        be.softmax_cross_entropy(logits.tensor, labels.tensor, first_only.tensor, 0.1f, 1.0,
                                 grad.tensor, sums.tensor);
        CHECK(sums.mean() == Approx(0.50760596));

        be.softmax_cross_entropy(logits.tensor, labels.tensor, Tensor{}, 0.0f, 2.0, grad.tensor,
                                 sums.tensor);
        CHECK(std::isfinite(sums.at(0, 0)));  // logit 1000 does not overflow
        CHECK(sums.mean() == Approx((0.40760596 + 1000.0) / 2).epsilon(1e-4));
    }
}

TEST_CASE("a class label outside the output's classes makes the loss NaN on every device",
          "[backend][loss]") {
    for (TestBackend& device : backends_present()) {
        INFO("backend " << device.name);
        Backend& be = *device.backend;
        HostTensor logits(be, 3, 2, {1, 2, 3, 4, 5, 6});
        HostTensor grad(be, 3, 2, {7, 7, 7, 7, 7, 7}), sums(be, 2, 1);
        for (const float bad : {3.0f, -1.0f, std::numeric_limits<float>::quiet_NaN()}) {
            INFO("label " << bad);
            HostTensor labels(be, 1, 2, {0.0f, bad});
            be.softmax_cross_entropy(logits.tensor, labels.tensor, Tensor{}, 0.0f, 2.0, grad.tensor,
                                     sums.tensor);
            CHECK(std::isnan(sums.at(0, 0)));
            for (int r = 0; r < 3; ++r) CHECK(grad.at(r, 1) == 0.0f);  // no gradient from it
            CHECK(grad.at(0, 0) != 7.0f);
        }
    }
}

TEST_CASE("regression losses and their gradients", "[backend][loss]") {
    for (TestBackend& device : backends_present()) {
        INFO("backend " << device.name);
        Backend& be = *device.backend;
        HostTensor p(be, 1, 2, {1.0f, 3.0f}), y(be, 1, 2, {0.5f, 6.0f});
        HostTensor grad(be, 1, 2), sums(be, 2, 1);
        be.regression_loss(RegressionLoss::kMse, 1.0f, p.tensor, y.tensor, Tensor{}, 2.0,
                           grad.tensor, sums.tensor);
        CHECK(sums.mean() == Approx((0.25 + 9.0) / 2));
        CHECK(grad.at(0, 1) == Approx(2.0 * -3.0 / 2));
        be.regression_loss(RegressionLoss::kMae, 1.0f, p.tensor, y.tensor, Tensor{}, 2.0,
                           grad.tensor, sums.tensor);
        CHECK(sums.mean() == Approx(1.75));
        CHECK(grad.at(0, 0) == Approx(0.5));
        CHECK(grad.at(0, 1) == Approx(-0.5));
        be.regression_loss(RegressionLoss::kHuber, 1.0f, p.tensor, y.tensor, Tensor{}, 2.0,
                           grad.tensor, sums.tensor);
        CHECK(sums.mean() == Approx((0.125 + 2.5) / 2));
        CHECK(grad.at(0, 0) == Approx(0.25));
        CHECK(grad.at(0, 1) == Approx(-0.5));
        HostTensor w(be, 1, 2, {3.0f, 1.0f});
        be.regression_loss(RegressionLoss::kMse, 1.0f, p.tensor, y.tensor, w.tensor, 4.0,
                           grad.tensor, sums.tensor);
        CHECK(sums.mean() == Approx((3 * 0.25 + 9.0) / 4));
        CHECK(sums.at(1, 0) == 4.0f);
        // Two outputs a sample: a sample's loss is the mean over them.
        HostTensor p2(be, 2, 1, {1.0f, 3.0f}), y2(be, 2, 1, {0.5f, 6.0f}), g2(be, 2, 1);
        be.regression_loss(RegressionLoss::kMse, 1.0f, p2.tensor, y2.tensor, Tensor{}, 1.0,
                           g2.tensor, sums.tensor);
        CHECK(sums.mean() == Approx((0.25 + 9.0) / 2));
        CHECK(sums.at(1, 0) == 1.0f);
        CHECK(g2.at(1, 0) == Approx(2.0 * -3.0 / 2));
    }
}

TEST_CASE("dropout masks are inverted, reproducible and keyed on layer and step", "[backend]") {
    CpuBackend be;
    const std::int64_t n = 10000;
    HostTensor x(be, 100, 100, std::vector<float>(n, 1.0f));
    HostTensor mask(be, 100, 100), y(be, 100, 100), mask2(be, 100, 100), y2(be, 100, 100);
    be.dropout_forward(0.25f, 42, 1, 0, x.tensor, mask.tensor, y.tensor);
    std::int64_t kept = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        REQUIRE((y.tensor.data[i] == 0.0f || y.tensor.data[i] == Approx(1.0f / 0.75f)));
        kept += y.tensor.data[i] != 0.0f;
    }
    CHECK(kept == Approx(0.75 * n).margin(0.02 * n));
    be.dropout_forward(0.25f, 42, 1, 0, x.tensor, mask2.tensor, y2.tensor);
    CHECK(std::equal(mask.tensor.data, mask.tensor.data + n, mask2.tensor.data));
    be.dropout_forward(0.25f, 42, 2, 0, x.tensor, mask2.tensor, y2.tensor);
    CHECK_FALSE(std::equal(mask.tensor.data, mask.tensor.data + n, mask2.tensor.data));
    // The vectorised masks agree with the scalar definition of each element's 16-bit draw, here
    // and at an offset.
    const std::uint32_t threshold = dropout_threshold(0.25f);
    CHECK(threshold == 16384);
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint32_t draw = counter_half(42, RngStream::kDropout, 1, i);
        REQUIRE((mask.tensor.data[i] != 0.0f) == (draw >= threshold));
    }
    const std::uint64_t offset = (std::uint64_t{7} << 32) + 8;
    be.dropout_forward(0.25f, 42, 1, offset, x.tensor, mask2.tensor, y2.tensor);
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint32_t draw = counter_half(42, RngStream::kDropout, 1, offset + i);
        REQUIRE((mask2.tensor.data[i] != 0.0f) == (draw >= threshold));
    }
    be.multiply(y.tensor, mask.tensor, y2.tensor);
    CHECK(y2.tensor.data[0] == y.tensor.data[0] * mask.tensor.data[0]);
}

namespace {

/// Runs `steps` updates of a one-parameter model (p = 1) with a constant gradient 0.5 on every
/// backend present, requires the others to agree with the CPU, and returns the CPU's values.
std::vector<float> trajectory(OptimizerStep step, int steps) {
    std::vector<std::vector<float>> runs;
    for (TestBackend& device : backends_present()) {
        Backend& be = *device.backend;
        HostTensor p(be, 1, 1, {1.0f}), g(be, 1, 1, {0.5f});
        HostTensor s0(be, 1, 1), s1(be, 1, 1), s2(be, 1, 1);
        std::vector<float> out;
        for (int i = 1; i <= steps; ++i) {
            step.step = i;
            be.optimizer_update(step, p.tensor, g.tensor, s0.tensor, s1.tensor, s2.tensor);
            out.push_back(p.at(0, 0));
        }
        for (std::size_t i = 0; !runs.empty() && i < out.size(); ++i) {
            INFO("backend " << device.name << ", step " << i + 1);
            REQUIRE(out[i] == Approx(runs.front()[i]).epsilon(1e-6));
        }
        runs.push_back(std::move(out));
    }
    return runs.front();
}

}  // namespace

TEST_CASE("optimizer steps match hand-computed torch.optim values", "[backend][optim]") {
    using Kind = OptimizerStep::Kind;
    OptimizerStep sgd;
    sgd.kind = Kind::kSgd;
    sgd.lr = 0.1f;
    auto t = trajectory(sgd, 2);
    CHECK(t[0] == Approx(0.95));
    CHECK(t[1] == Approx(0.9));

    sgd.momentum = 0.9f;  // buf = g, then 0.9 buf + g
    t = trajectory(sgd, 2);
    CHECK(t[0] == Approx(0.95));
    CHECK(t[1] == Approx(0.855));

    sgd.nesterov = true;  // g + 0.9 buf
    t = trajectory(sgd, 2);
    CHECK(t[0] == Approx(0.905));
    CHECK(t[1] == Approx(0.7695));

    OptimizerStep decay;
    decay.kind = Kind::kSgd;
    decay.lr = 0.1f;
    decay.weight_decay = 0.1f;  // g + 0.1 p
    CHECK(trajectory(decay, 1)[0] == Approx(0.94));

    OptimizerStep adam;
    adam.kind = Kind::kAdam;
    adam.lr = 0.1f;  // a constant gradient moves Adam by lr per step
    t = trajectory(adam, 2);
    CHECK(t[0] == Approx(0.9).epsilon(1e-6));
    CHECK(t[1] == Approx(0.8).epsilon(1e-6));

    adam.decoupled_weight_decay = true;  // AdamW: p *= 1 - lr wd first
    adam.weight_decay = 0.1f;
    CHECK(trajectory(adam, 1)[0] == Approx(0.89).epsilon(1e-6));

    OptimizerStep rms;
    rms.kind = Kind::kRmsprop;
    rms.lr = 0.01f;
    CHECK(trajectory(rms, 1)[0] == Approx(0.9).epsilon(1e-5));

    OptimizerStep adagrad;
    adagrad.kind = Kind::kAdagrad;
    adagrad.lr = 0.1f;
    adagrad.eps = 1e-10f;
    t = trajectory(adagrad, 2);
    CHECK(t[0] == Approx(0.9));
    CHECK(t[1] == Approx(0.9 - 0.05 / std::sqrt(0.5)));
}

TEST_CASE("an update split along the parameter layout equals the unsplit one", "[backend][optim]") {
    // 300 × 230 weights (above the size where updates split over threads and weights split by
    // columns), their bias, and a 5 × 40 matrix too small to split: two threads update by the
    // layout, two by halves of the buffer, bit for bit alike.
    using Kind = OptimizerStep::Kind;
    const std::int64_t n = 300 * 230 + 300 + 5 * 40;
    for (const Kind kind : {Kind::kSgd, Kind::kAdam, Kind::kRmsprop, Kind::kAdagrad}) {
        OptimizerStep step;
        step.kind = kind;
        step.momentum = kind == Kind::kAdam || kind == Kind::kAdagrad ? 0.0f : 0.9f;
        step.nesterov = kind == Kind::kSgd;
        step.centered = kind == Kind::kRmsprop;
        step.weight_decay = 0.01f;
        std::vector<std::vector<float>> results;
        for (const bool by_layout : {false, true}) {
            CpuBackend be(2);
            HostTensor p(be, n, 1, random_values(n, 11)), g(be, n, 1, random_values(n, 12));
            HostTensor s0(be, n, 1), s1(be, n, 1), s2(be, n, 1);
            if (by_layout) {
                float* base = p.tensor.data;
                be.set_parameter_layout({Tensor{base, 300, 230}, Tensor{base + 300 * 230, 300, 1},
                                         Tensor{base + 300 * 231, 5, 40}});
            }
            for (int i = 1; i <= 3; ++i) {
                step.step = i;
                be.optimizer_update(step, p.tensor, g.tensor, s0.tensor, s1.tensor, s2.tensor);
            }
            std::vector<float> all(p.tensor.data, p.tensor.data + n);
            for (const HostTensor* s : {&s0, &s1, &s2}) {
                all.insert(all.end(), s->tensor.data, s->tensor.data + n);
            }
            results.push_back(std::move(all));
        }
        INFO("optimizer kind " << static_cast<int>(kind));
        CHECK(results[0] == results[1]);
    }
}

TEST_CASE("a dense layer's products at a small batch on two threads equal one thread's",
          "[backend]") {
    // A 150 × 130 weight (large enough to split by columns between two threads) and a batch of
    // 7: W·X sums partial products, dZ·Xᵀ and Wᵀ·dZ split C; alpha and beta apply once.
    const std::int64_t units = 150, inputs = 130, batch = 7;
    std::vector<std::vector<float>> results;
    for (const int threads : {1, 2}) {
        CpuBackend be(threads);
        HostTensor w(be, units, inputs, random_values(units * inputs, 21));
        HostTensor x(be, inputs, batch, random_values(inputs * batch, 22));
        HostTensor dz(be, units, batch, random_values(units * batch, 23));
        HostTensor z(be, units, batch, random_values(units * batch, 24));
        HostTensor dw(be, units, inputs, random_values(units * inputs, 25));
        HostTensor dx(be, inputs, batch, random_values(inputs * batch, 26));
        HostTensor z0(be, units, batch), dw0(be, units, inputs), dx0(be, inputs, batch);
        be.gemm(false, false, 0.5f, w.tensor, x.tensor, 2.0f, z.tensor);
        be.gemm(false, true, 0.5f, dz.tensor, x.tensor, 2.0f, dw.tensor);
        be.gemm(true, false, 0.5f, w.tensor, dz.tensor, 2.0f, dx.tensor);
        be.gemm(false, false, 1.0f, w.tensor, x.tensor, 0.0f, z0.tensor);
        be.gemm(false, true, 1.0f, dz.tensor, x.tensor, 0.0f, dw0.tensor);
        be.gemm(true, false, 1.0f, w.tensor, dz.tensor, 0.0f, dx0.tensor);
        std::vector<float> all;
        for (const HostTensor* t : {&z, &dw, &dx, &z0, &dw0, &dx0}) {
            all.insert(all.end(), t->tensor.data, t->tensor.data + t->tensor.size());
        }
        results.push_back(std::move(all));
    }
    REQUIRE(results[0].size() == results[1].size());
    for (std::size_t i = 0; i < results[0].size(); ++i) {
        INFO("element " << i);
        REQUIRE(results[1][i] == Approx(results[0][i]).margin(1e-4));
    }
}

TEST_CASE("penalty gradients, norms, scaling and clamping", "[backend][optim]") {
    CpuBackend be;
    HostTensor w(be, 1, 3, {2.0f, -1.0f, 0.0f}), g(be, 1, 3, {0, 0, 0});
    be.add_penalty_gradient(w.tensor, g.tensor, 0.1f, 0.5f);
    CHECK(g.at(0, 0) == Approx(0.1 + 2.0));
    CHECK(g.at(0, 1) == Approx(-0.1 - 1.0));
    CHECK(g.at(0, 2) == 0.0f);
    CHECK(be.squared_norm(w.tensor) == Approx(5.0));
    be.scale(w.tensor, 0.5f);
    CHECK(w.at(0, 0) == 1.0f);
    be.clamp(g.tensor, -0.5f, 0.5f);
    CHECK(g.at(0, 0) == 0.5f);
    CHECK(g.at(0, 1) == -0.5f);
}

TEST_CASE("gather_columns copies the indexed samples, with indices in the backend's memory",
          "[backend]") {
    for (TestBackend& device : backends_present()) {
        INFO("backend " << device.name);
        Backend& be = *device.backend;
        HostTensor src(be, 2, 5, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        const std::uint32_t order[] = {4, 0, 3, 1, 2};
        IndexBuffer indices = be.allocate_indices(5);
        be.upload_indices(order, 5, indices.data());
        HostTensor dst(be, 2, 3);
        be.gather_columns(src.tensor, indices.data() + 2, dst.tensor);  // columns 3, 1, 2
        CHECK(to_host(be, dst.tensor) == std::vector<float>{7, 8, 3, 4, 5, 6});
    }
}

TEST_CASE("gemm with beta 0 ignores C, and an empty product scales C by beta", "[backend]") {
    CpuBackend be;
    HostTensor a(be, 2, 3, random_values(6, 40)), b(be, 3, 2, random_values(6, 41));
    HostTensor c(be, 2, 2, {NAN, NAN, NAN, NAN});
    be.gemm(false, false, 1.0f, a.tensor, b.tensor, 0.0f, c.tensor);
    for (int i = 0; i < 4; ++i) CHECK(std::isfinite(c.tensor.data[i]));
    HostTensor empty_a(be, 2, 0), empty_b(be, 0, 2);
    HostTensor d(be, 2, 2, {1, 2, 3, 4});
    be.gemm(false, false, 1.0f, empty_a.tensor, empty_b.tensor, 0.5f, d.tensor);
    CHECK(std::vector<float>(d.tensor.data, d.tensor.data + 4) ==
          std::vector<float>{0.5f, 1.0f, 1.5f, 2.0f});
}

TEST_CASE("a dense relu layer's fused dropout equals relu then dropout", "[backend]") {
    // The CPU goes over blocks of columns (110 of 37 rows, 819 of 5, one of 4099, whose words
    // come in two chunks): these start at elements 4070, 4095 and 4099, inside Philox blocks.
    // 300 × 700 splits over two threads. Each is checked against the two operations it fuses
    // : equal values (a zero's sign aside).
    for (const auto& [rows, cols] :
         {std::pair<std::int64_t, std::int64_t>{37, 250}, {5, 2000}, {4099, 3}, {300, 700}}) {
        for (const int threads : {1, 2}) {
            INFO(rows << "x" << cols << ", " << threads << " threads");
            CpuBackend be(threads);
            const std::int64_t n = rows * cols;
            const float rate = 0.4f;
            const std::uint64_t offset =
                (std::uint64_t{3} << 32) + 8 * static_cast<std::uint64_t>(rows);
            const std::vector<float> product = random_values(n, 60),
                                     dy_values = random_values(n, 61);
            HostTensor bias(be, rows, 1, random_values(rows, 62));
            HostTensor fused(be, rows, cols, product);
            be.bias_relu_dropout_forward(rate, 9, 4, offset, bias.tensor, fused.tensor);
            HostTensor z(be, rows, cols, product), a(be, rows, cols), mask(be, rows, cols),
                y(be, rows, cols);
            be.bias_activation_forward(Activation::kRelu, bias.tensor, z.tensor, a.tensor);
            be.dropout_forward(rate, 9, 4, offset, a.tensor, mask.tensor, y.tensor);
            auto values = [](const HostTensor& h) {
                return std::vector<float>(h.tensor.data, h.tensor.data + h.tensor.size());
            };
            CHECK(values(fused) == values(y));
            std::int64_t kept = 0;
            for (std::int64_t i = 0; i < n; ++i) kept += mask.tensor.data[i] != 0.0f;
            CHECK(kept == Approx(0.6 * n).margin(0.05 * n));

            // The gradient from the output alone equals the mask's, then relu's; the bias gradient
            // is set, then added to.
            for (const bool accumulate : {false, true}) {
                HostTensor dy(be, rows, cols, dy_values), dz(be, rows, cols);
                HostTensor fused_bias_grad(be, rows, 1, std::vector<float>(rows, 0.5f));
                be.relu_dropout_bias_backward(rate, fused.tensor, dy.tensor, dz.tensor,
                                              fused_bias_grad.tensor, accumulate);
                HostTensor masked(be, rows, cols, dy_values), dz_ref(be, rows, cols);
                HostTensor bias_grad_ref(be, rows, 1, std::vector<float>(rows, 0.5f));
                be.multiply(masked.tensor, mask.tensor, masked.tensor);
                be.activation_bias_backward(Activation::kRelu, z.tensor, a.tensor, masked.tensor,
                                            dz_ref.tensor, bias_grad_ref.tensor, accumulate);
                CHECK(values(dz) == values(dz_ref));
                CHECK(values(fused_bias_grad) == values(bias_grad_ref));
            }
        }
    }
}

TEST_CASE("dropout without a mask, in place, drops what the mask says", "[backend]") {
    CpuBackend be;
    const std::int64_t n = 5003;
    const std::vector<float> x_values = random_values(n, 63);
    HostTensor x(be, 1, n, x_values), mask(be, 1, n), y(be, 1, n);
    be.dropout_forward(0.5f, 3, 1, 16, x.tensor, mask.tensor, y.tensor);
    be.dropout_forward(0.5f, 3, 1, 16, x.tensor, Tensor{}, x.tensor);
    CHECK(std::equal(x.tensor.data, x.tensor.data + n, y.tensor.data));
}

TEST_CASE("every elementwise activation but softmax may write over its input", "[backend]") {
    CpuBackend be;
    for (const char* name : {"linear", "relu", "leaky_relu", "elu", "selu", "gelu", "tanh",
                             "sigmoid", "softplus", "swish"}) {
        INFO(name);
        const Activation act = parse_activation(name, 0.2);
        const std::vector<float> z_values = random_values(7 * 9, 64);
        HostTensor bias(be, 7, 1, random_values(7, 65));
        HostTensor z(be, 7, 9, z_values), a(be, 7, 9), in_place(be, 7, 9, z_values);
        be.bias_activation_forward(act, bias.tensor, z.tensor, a.tensor);
        be.bias_activation_forward(act, bias.tensor, in_place.tensor, in_place.tensor);
        CHECK(std::equal(a.tensor.data, a.tensor.data + 63, in_place.tensor.data));
    }
    HostTensor z(be, 3, 2);
    CHECK_THROWS(be.bias_activation_forward(Activation::kSoftmax, Tensor{}, z.tensor, z.tensor));
}

TEST_CASE("large elementwise passes agree on one and two threads", "[backend]") {
    // 300 × 700 floats: above the size where passes split across threads, with column blocks
    // that do not divide the batch.
    const std::int64_t rows = 300, cols = 700, n = rows * cols;
    CpuBackend one(1), two(2);
    CpuBackend* backends[] = {&one, &two};
    std::vector<float> z_values = random_values(n, 50), da_values = random_values(n, 51);
    std::vector<float> bias_values = random_values(rows, 52);
    std::vector<std::vector<float>> z(2), a(2), dz(2), bias_grad(2), sums(2), mask(2), y(2);
    for (int t = 0; t < 2; ++t) {
        Backend& be = *backends[t];
        HostTensor zt(be, rows, cols, z_values), at(be, rows, cols), bias(be, rows, 1, bias_values);
        be.bias_activation_forward(Activation::kRelu, bias.tensor, zt.tensor, at.tensor);
        HostTensor da(be, rows, cols, da_values), dzt(be, rows, cols), bg(be, rows, 1);
        be.activation_bias_backward(Activation::kRelu, zt.tensor, at.tensor, da.tensor, dzt.tensor,
                                    bg.tensor, false);
        HostTensor unfused(be, rows, cols), st(be, rows, 1);
        be.activation_backward(Activation::kRelu, zt.tensor, at.tensor, da.tensor, unfused.tensor);
        CHECK(std::equal(unfused.tensor.data, unfused.tensor.data + n, dzt.tensor.data));
        be.sum_columns(dzt.tensor, st.tensor);
        HostTensor mt(be, rows, cols), yt(be, rows, cols);
        be.dropout_forward(0.3f, 7, 2, std::uint64_t{5} << 32, at.tensor, mt.tensor, yt.tensor);
        auto host = [](const HostTensor& h) {
            return std::vector<float>(h.tensor.data, h.tensor.data + h.tensor.size());
        };
        z[t] = host(zt), a[t] = host(at), dz[t] = host(dzt), bias_grad[t] = host(bg);
        sums[t] = host(st), mask[t] = host(mt), y[t] = host(yt);
    }
    // Elementwise results are identical; sums differ at most by their order of addition.
    CHECK(z[0] == z[1]);
    CHECK(a[0] == a[1]);
    CHECK(dz[0] == dz[1]);
    CHECK(mask[0] == mask[1]);
    CHECK(y[0] == y[1]);
    for (int t = 0; t < 2; ++t) CHECK(bias_grad[t] == sums[t]);
    for (std::int64_t r = 0; r < rows; ++r) {
        double expected = 0.0;
        for (std::int64_t c = 0; c < cols; ++c) {
            const std::int64_t i = c * rows + r;
            CHECK(z[0][i] == z_values[i] + bias_values[r]);
            CHECK(a[0][i] == std::max(z[0][i], 0.0f));
            CHECK(dz[0][i] == (z[0][i] > 0.0f ? da_values[i] : 0.0f));
            expected += z[0][i] > 0.0f ? da_values[i] : 0.0;
        }
        for (int t = 0; t < 2; ++t) CHECK(bias_grad[t][r] == Approx(expected).margin(1e-3));
    }
}

TEST_CASE("the fused backward works in place, as Dense calls it", "[backend]") {
    CpuBackend be(2);
    const std::int64_t rows = 300, cols = 700, n = rows * cols;
    const std::vector<float> z_values = random_values(n, 60), da_values = random_values(n, 61);
    HostTensor z(be, rows, cols, z_values), a(be, rows, cols), g(be, rows, cols, da_values);
    HostTensor bias_grad(be, rows, 1);
    be.activation(Activation::kRelu, z.tensor, a.tensor);
    be.activation_bias_backward(Activation::kRelu, z.tensor, a.tensor, g.tensor, g.tensor,
                                bias_grad.tensor, false);
    for (std::int64_t i = 0; i < n; ++i) {
        REQUIRE(g.tensor.data[i] == (z_values[i] > 0.0f ? da_values[i] : 0.0f));
    }
    // Mismatched shapes of the same size are refused before any thread starts.
    HostTensor transposed(be, cols, rows);
    CHECK_THROWS(be.activation_bias_backward(Activation::kRelu, transposed.tensor, a.tensor,
                                             g.tensor, g.tensor, bias_grad.tensor, false));
}

TEST_CASE("a later pass adds its bias and layer-norm gradients", "[backend]") {
    // 300 × 700 floats: the bias-gradient sum is split over both threads.
    for (const int threads : {1, 2}) {
        INFO(threads << " threads");
        CpuBackend be(threads);
        const std::int64_t rows = 300, cols = 700, n = rows * cols;
        HostTensor z(be, rows, cols, random_values(n, 70)), a(be, rows, cols);
        HostTensor da(be, rows, cols, random_values(n, 71)), dz(be, rows, cols);
        be.activation(Activation::kRelu, z.tensor, a.tensor);
        HostTensor once(be, rows, 1), twice(be, rows, 1);
        be.activation_bias_backward(Activation::kRelu, z.tensor, a.tensor, da.tensor, dz.tensor,
                                    once.tensor, false);
        be.fill(twice.tensor, 0.25f);
        be.activation_bias_backward(Activation::kRelu, z.tensor, a.tensor, da.tensor, dz.tensor,
                                    twice.tensor, true);
        for (std::int64_t r = 0; r < rows; ++r) {
            CHECK(twice.tensor.data[r] == Approx(once.tensor.data[r] + 0.25f).margin(1e-4));
        }

        const std::int64_t features = 6, samples = 9;
        HostTensor x(be, features, samples, random_values(features * samples, 72));
        HostTensor dy(be, features, samples, random_values(features * samples, 73));
        HostTensor gamma(be, features, 1, random_values(features, 74)), beta(be, features, 1);
        HostTensor mean(be, 1, samples), inv_std(be, 1, samples), y(be, features, samples);
        be.layer_norm_forward(1e-5f, x.tensor, gamma.tensor, beta.tensor, mean.tensor,
                              inv_std.tensor, y.tensor);
        HostTensor dgamma(be, features, 1), dbeta(be, features, 1);
        HostTensor dgamma2(be, features, 1), dbeta2(be, features, 1);
        be.layer_norm_backward(x.tensor, gamma.tensor, mean.tensor, inv_std.tensor, dy.tensor, {},
                               dgamma.tensor, dbeta.tensor);
        be.fill(dgamma2.tensor, 1.0f);
        be.fill(dbeta2.tensor, -1.0f);
        be.layer_norm_backward(x.tensor, gamma.tensor, mean.tensor, inv_std.tensor, dy.tensor, {},
                               dgamma2.tensor, dbeta2.tensor);
        for (std::int64_t f = 0; f < features; ++f) {
            CHECK(dgamma2.tensor.data[f] == Approx(dgamma.tensor.data[f] + 1.0f).margin(1e-5));
            CHECK(dbeta2.tensor.data[f] == Approx(dbeta.tensor.data[f] - 1.0f).margin(1e-5));
        }
    }
}

TEST_CASE("run_lanes gives each lane its own backend and rethrows a lane's error once",
          "[backend]") {
    CpuBackend be(2);
    REQUIRE(be.threads() == 2);
    std::array<CpuBackend*, 2> seen{};
    be.run_lanes(
        2, [&](int lane, CpuBackend& backend) { seen[static_cast<std::size_t>(lane)] = &backend; });
    CHECK(seen[0] != nullptr);
    CHECK(seen[1] != nullptr);
    CHECK(seen[0] != seen[1]);
    CHECK(seen[0] != &be);
    CHECK_THROWS_WITH(be.run_lanes(2,
                                   [](int lane, CpuBackend&) {
                                       if (lane == 1) throw std::runtime_error("lane 1 failed");
                                   }),
                      "lane 1 failed");
    std::atomic<int> ran{0};  // the stale error of lane 1 is not thrown again
    CHECK_NOTHROW(be.run_lanes(2, [&](int, CpuBackend&) { ++ran; }));
    CHECK(ran == 2);
}

TEST_CASE("for_each_part covers the range once, in granule-aligned parts", "[backend]") {
    struct Case {
        std::int64_t count, granule;
        int parts;
    };
    for (const Case c : {Case{0, 1, 2}, Case{3, 1, 16}, Case{5, 8, 2}, Case{17, 8, 2},
                         Case{100, 7, 3}, Case{64, 16, 4}, Case{10, 1, 1}}) {
        INFO(c.count << " items, granule " << c.granule << ", " << c.parts << " parts");
        std::vector<int> covered(static_cast<std::size_t>(c.count), 0);
        std::vector<std::pair<std::int64_t, std::int64_t>> ranges(
            static_cast<std::size_t>(std::max(c.parts, 1)), {-1, -1});
        const int used = cpu::for_each_part(
            c.count, c.granule, c.parts, [&](std::int64_t first, std::int64_t last, int part) {
                ranges[static_cast<std::size_t>(part)] = {first, last};
                for (std::int64_t i = first; i < last; ++i) ++covered[static_cast<std::size_t>(i)];
            });
        CHECK(used >= 1);
        CHECK(used <= std::max(c.parts, 1));
        CHECK(std::all_of(covered.begin(), covered.end(), [](int k) { return k == 1; }));
        for (int part = 0; part < used; ++part) {
            const auto [first, last] = ranges[static_cast<std::size_t>(part)];
            CHECK(first >= 0);
            CHECK(first <= last);
            CHECK((first % c.granule == 0 || first == c.count));
        }
    }
}
