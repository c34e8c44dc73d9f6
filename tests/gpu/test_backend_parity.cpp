// Every Backend operation on the GPU against the CPU backend, the reference, on the same
// inputs. Tolerances: 1e-5 relative for elementwise work and GEMMs, 1e-4 for sums over hundreds
// of terms (float32 summation order differs; a 333-term row sum differed by 1.2e-5 on an H200),
// exact equality for dropout masks (same Philox words).
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <source_location>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/core/random.h"

using namespace dlctl;

namespace {

constexpr double kTolerance = 1e-5;
constexpr double kSumTolerance = 1e-4;

/// The CPU reference (one thread) and the GPU backend side by side: index 0 and 1.
struct Twin {
    std::unique_ptr<Backend> cpu = make_backend({DeviceKind::kCpu, 0}, 1);
    std::unique_ptr<Backend> gpu = make_backend({DeviceKind::kCuda, 0});
    Backend& operator[](int side) { return side == 0 ? *cpu : *gpu; }
};

/// The same values in both backends' memory.
struct Pair {
    Pair(Twin& twin, std::int64_t rows, std::int64_t cols, const std::vector<float>& values = {}) {
        for (int s = 0; s < 2; ++s) {
            buffers[s] = twin[s].allocate(rows * cols);
            tensors[s] = buffers[s].view(rows, cols);
            if (!values.empty()) twin[s].upload(values.data(), tensors[s]);
        }
    }
    Tensor operator[](int side) const { return tensors[side]; }
    Buffer buffers[2];
    Tensor tensors[2];
};

std::vector<float> random_values(std::size_t n, std::uint64_t seed, double scale = 1.0) {
    Rng rng(seed, RngStream::kInit);
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(scale * rng.normal());
    return v;
}

std::vector<float> host(Backend& backend, const Tensor& t) {
    std::vector<float> out(static_cast<std::size_t>(t.size()));
    backend.download(t, out.data());
    return out;
}

/// GPU values within `tolerance` of the CPU's, relative to max(1, |cpu|).
void check_close(Twin& twin,
                 const Pair& pair,
                 double tolerance = kTolerance,
                 std::source_location caller = std::source_location::current()) {
    const std::vector<float> cpu = host(twin[0], pair[0]);
    const std::vector<float> gpu = host(twin[1], pair[1]);
    REQUIRE(cpu.size() == gpu.size());
    double worst = 0.0;
    std::size_t where = 0;
    for (std::size_t i = 0; i < cpu.size(); ++i) {
        const double error = std::abs(static_cast<double>(cpu[i]) - gpu[i]) /
                             std::max(1.0, std::abs(static_cast<double>(cpu[i])));
        if (!(error <= worst)) {
            worst = error;
            where = i;
        }
    }
    INFO("checked at line " << caller.line() << ", element " << where << ": cpu " << cpu[where]
                            << ", gpu " << gpu[where]);
    CHECK(worst <= tolerance);
}

}  // namespace

TEST_CASE("gpu: gemm for every transpose combination, alpha and beta", "[gpu]") {
    Twin twin;
    const std::int64_t m = 37, n = 53, k = 29;
    for (const bool ta : {false, true}) {
        for (const bool tb : {false, true}) {
            for (const float beta : {0.0f, 0.5f}) {
                Pair a(twin, ta ? k : m, ta ? m : k, random_values(m * k, 1));
                Pair b(twin, tb ? n : k, tb ? k : n, random_values(k * n, 2));
                Pair c(twin, m, n, random_values(m * n, 3));
                for (int s = 0; s < 2; ++s) twin[s].gemm(ta, tb, 1.5f, a[s], b[s], beta, c[s]);
                INFO("ta " << ta << " tb " << tb << " beta " << beta);
                check_close(twin, c);
            }
        }
    }
}

TEST_CASE("gpu: every activation forward (with bias) and backward", "[gpu]") {
    Twin twin;
    for (const auto& [rows, cols] : {std::pair<std::int64_t, std::int64_t>{7, 45}, {40, 300}}) {
        for (const char* name : {"linear", "relu", "leaky_relu", "elu", "selu", "gelu", "tanh",
                                 "sigmoid", "softmax", "softplus", "swish", "mish"}) {
            const Activation act = parse_activation(name, 0.2);
            INFO(name << " " << rows << "x" << cols);
            Pair bias(twin, rows, 1, random_values(rows, 4));
            Pair z(twin, rows, cols, random_values(rows * cols, 5, 2.0));
            Pair a(twin, rows, cols);
            for (int s = 0; s < 2; ++s) twin[s].bias_activation_forward(act, bias[s], z[s], a[s]);
            check_close(twin, z);
            check_close(twin, a);
            Pair da(twin, rows, cols, random_values(rows * cols, 6));
            Pair dz(twin, rows, cols);
            for (int s = 0; s < 2; ++s) twin[s].activation_backward(act, z[s], a[s], da[s], dz[s]);
            check_close(twin, dz);
            Pair bias_grad(twin, rows, 1);
            for (int s = 0; s < 2; ++s)
                twin[s].activation_bias_backward(act, z[s], a[s], da[s], dz[s], bias_grad[s],
                                                 false);
            check_close(twin, dz);
            check_close(twin, bias_grad, kSumTolerance);
            // A later pass of a step adds to the bias gradient.
            for (int s = 0; s < 2; ++s)
                twin[s].activation_bias_backward(act, z[s], a[s], da[s], dz[s], bias_grad[s], true);
            check_close(twin, bias_grad, kSumTolerance);
            // In place, as Dense::backward calls it: dz aliases da.
            for (int s = 0; s < 2; ++s) {
                twin[s].activation_bias_backward(act, z[s], a[s], da[s], da[s], bias_grad[s],
                                                 false);
            }
            check_close(twin, da);
            check_close(twin, bias_grad, kSumTolerance);
            Pair out(twin, rows, cols);
            for (int s = 0; s < 2; ++s) twin[s].activation(act, z[s], out[s]);
            check_close(twin, out);
            for (int s = 0; s < 2; ++s) twin[s].activation(act, z[s], z[s]);  // in place
            check_close(twin, z);
        }
    }
    // Linear and relu layers write their output over their input.
    for (const Activation act : {Activation::kLinear, Activation::kRelu}) {
        Pair z(twin, 3, 10, random_values(30, 30)), bias(twin, 3, 1, random_values(3, 31));
        for (int s = 0; s < 2; ++s) twin[s].bias_activation_forward(act, bias[s], z[s], z[s]);
        check_close(twin, z, 0.0);
    }
}

TEST_CASE("gpu: parametric activations forward and backward, dx aliasing dy", "[gpu]") {
    Twin twin;
    for (const auto& [rows, cols] : {std::pair<std::int64_t, std::int64_t>{7, 45}, {40, 300}}) {
        for (const char* name : {"selu", "mish", "relu", "tanh", "gelu"}) {
            const Activation act = parse_activation(name, 0.0);
            INFO(name << " " << rows << "x" << cols);
            Pair mix(twin, rows, 1, random_values(rows, 7));
            Pair x(twin, rows, cols, random_values(rows * cols, 8, 2.0));
            Pair y(twin, rows, cols), a(twin, rows, cols);
            for (int s = 0; s < 2; ++s)
                twin[s].parametric_activation_forward(act, x[s], mix[s], a[s], y[s]);
            check_close(twin, y);
            check_close(twin, a);
            Pair dy(twin, rows, cols, random_values(rows * cols, 9));
            Pair dx(twin, rows, cols);
            Pair mix_grad(twin, rows, 1, random_values(rows, 10));
            for (int s = 0; s < 2; ++s)
                twin[s].parametric_activation_backward(act, x[s], a[s], mix[s], dy[s], dx[s],
                                                       mix_grad[s]);
            check_close(twin, dx);
            check_close(twin, mix_grad, kSumTolerance);
            for (int s = 0; s < 2; ++s)
                twin[s].parametric_activation_backward(act, x[s], a[s], mix[s], dy[s], dy[s],
                                                       mix_grad[s]);
            check_close(twin, dy);
            check_close(twin, mix_grad, kSumTolerance);
            for (int s = 0; s < 2; ++s)
                twin[s].parametric_activation_backward(act, x[s], a[s], mix[s], dy[s], Tensor{},
                                                       mix_grad[s]);
            check_close(twin, mix_grad, kSumTolerance);
        }
    }
}

TEST_CASE("gpu: sum_columns, multiply, fill, copy, scale, clamp, penalties, norm", "[gpu]") {
    Twin twin;
    const std::int64_t rows = 100, cols = 333;
    Pair x(twin, rows, cols, random_values(rows * cols, 7));
    Pair y(twin, rows, cols, random_values(rows * cols, 8));
    Pair sums(twin, rows, 1);
    for (int s = 0; s < 2; ++s) twin[s].sum_columns(x[s], sums[s]);
    check_close(twin, sums, kSumTolerance);
    Pair one_row(twin, 1, cols, random_values(cols, 22)), one_sum(twin, 1, 1);
    for (int s = 0; s < 2; ++s) twin[s].sum_columns(one_row[s], one_sum[s]);
    check_close(twin, one_sum, kSumTolerance);
    // An empty product scales C by beta.
    Pair empty_a(twin, 4, 0), empty_b(twin, 0, 5), c(twin, 4, 5, random_values(20, 23));
    for (int s = 0; s < 2; ++s)
        twin[s].gemm(false, false, 1.0f, empty_a[s], empty_b[s], 1.0f, c[s]);
    check_close(twin, c, 0.0);
    Pair product(twin, rows, cols);
    for (int s = 0; s < 2; ++s) twin[s].multiply(x[s], y[s], product[s]);
    check_close(twin, product);
    for (int s = 0; s < 2; ++s) {
        twin[s].add_penalty_gradient(x[s], y[s], 0.01f, 0.02f);
        twin[s].scale(y[s], -3.0f);
        twin[s].clamp(y[s], -2.0f, 1.5f);
    }
    check_close(twin, y);
    CHECK(twin[1].squared_norm(x[1]) == Approx(twin[0].squared_norm(x[0])).epsilon(1e-12));
    Pair copied(twin, rows, cols);
    for (int s = 0; s < 2; ++s) {
        twin[s].copy(x[s], copied[s]);
        twin[s].fill({copied[s].data, rows, 3}, 0.25f);
    }
    check_close(twin, copied, 0.0);
    for (int s = 0; s < 2; ++s) twin[s].add(x[s], copied[s]);  // how lanes' gradients combine
    check_close(twin, copied, 0.0);
}

TEST_CASE("gpu: ensemble operations and batched products", "[gpu]") {
    Twin twin;
    const std::int64_t rows = 37, samples = 45, members = 6;
    Pair x(twin, rows, samples, random_values(rows * samples, 31));
    Pair repeated(twin, rows, samples * members);
    for (int s = 0; s < 2; ++s) twin[s].repeat_columns(x[s], repeated[s]);
    check_close(twin, repeated, 0.0);
    Pair members_x(twin, rows, samples * members, random_values(rows * samples * members, 32));
    Pair mean(twin, rows, samples);
    for (int s = 0; s < 2; ++s) twin[s].sum_column_groups(members_x[s], 0.25f, mean[s]);
    check_close(twin, mean, kTolerance);
    Pair factors(twin, rows * members, 1, random_values(rows * members, 33));
    Pair scaled(twin, rows * members, samples);
    for (int s = 0; s < 2; ++s) {
        twin[s].scale_rows({members_x[s].data, rows * members, samples}, factors[s], scaled[s]);
    }
    check_close(twin, scaled, 0.0);
    Pair row_sums(twin, rows * members, 1, random_values(rows * members, 34));
    for (int s = 0; s < 2; ++s) {
        twin[s].add_row_products({members_x[s].data, rows * members, samples}, scaled[s],
                                 row_sums[s]);
    }
    check_close(twin, row_sums, kSumTolerance);
    std::vector<float> probabilities = {0.0f, 1e-35f, 1e-7f, 0.3f, 0.5f, 0.999f, 1.0f, 0.75f};
    Pair p(twin, 1, 8, probabilities), sigmoid_logits(twin, 1, 8), softmax_logits(twin, 1, 8);
    for (int s = 0; s < 2; ++s) {
        twin[s].probability_logits(Activation::kSigmoid, p[s], sigmoid_logits[s]);
        twin[s].probability_logits(Activation::kSoftmax, p[s], softmax_logits[s]);
    }
    check_close(twin, sigmoid_logits, kTolerance);
    check_close(twin, softmax_logits, kTolerance);
    // Each member's head: W_m (units × rows) times member m's rows of the (members · rows) ×
    // samples input, forward and both gradients.
    const std::int64_t units = 5;
    Pair weights(twin, units, rows * members, random_values(units * rows * members, 35));
    Pair heads(twin, units, samples * members, random_values(units * samples * members, 36));
    const auto batch = [&](const Pair& t, int side, std::int64_t r, std::int64_t c, std::int64_t ld,
                           std::int64_t stride) {
        return MatrixBatch{t[side].data, r, c, ld, stride};
    };
    for (int s = 0; s < 2; ++s) {
        twin[s].gemm_batched(false, false, 1.0f,
                             batch(weights, s, units, rows, units, units * rows),
                             batch(members_x, s, rows, samples, rows * members, rows), 0.5f,
                             batch(heads, s, units, samples, units * members, units), members);
        twin[s].gemm_batched(false, true, 1.0f,
                             batch(heads, s, units, samples, units * members, units),
                             batch(members_x, s, rows, samples, rows * members, rows), 1.0f,
                             batch(weights, s, units, rows, units, units * rows), members);
        twin[s].gemm_batched(true, false, 1.0f, batch(weights, s, units, rows, units, units * rows),
                             batch(heads, s, units, samples, units * members, units), 0.0f,
                             batch(members_x, s, rows, samples, rows * members, rows), members);
    }
    check_close(twin, heads, kSumTolerance);
    check_close(twin, weights, kSumTolerance);
    check_close(twin, members_x, kSumTolerance);
}

TEST_CASE("gpu: dropout masks equal the CPU's bit for bit", "[gpu]") {
    Twin twin;
    for (const std::int64_t n : {1001, 4096}) {
        Pair x(twin, 1, n, random_values(n, 9));
        Pair mask(twin, 1, n), y(twin, 1, n);
        for (int s = 0; s < 2; ++s)
            twin[s].dropout_forward(0.3f, 42, 2, 8 * n, x[s], mask[s], y[s]);
        check_close(twin, mask, 0.0);
        check_close(twin, y, 0.0);
        // Without a mask, in place.
        for (int s = 0; s < 2; ++s) twin[s].dropout_forward(0.3f, 42, 2, 8 * n, x[s], {}, x[s]);
        check_close(twin, x, 0.0);
    }
}

TEST_CASE("gpu: batch norm (training and evaluation) and layer norm", "[gpu]") {
    Twin twin;
    const auto [features, n] = GENERATE(std::pair<std::int64_t, std::int64_t>{12, 77},
                                        std::pair<std::int64_t, std::int64_t>{300, 1000},
                                        std::pair<std::int64_t, std::int64_t>{5, 1});
    INFO(features << " features, " << n << " samples");
    Pair x(twin, features, n, random_values(features * n, 10, 3.0));
    Pair gamma(twin, features, 1, random_values(features, 11));
    Pair beta(twin, features, 1, random_values(features, 12));
    Pair running_mean(twin, features, 1), running_var(twin, features, 1);
    for (int s = 0; s < 2; ++s) twin[s].fill(running_var[s], 1.0f);
    Pair mean(twin, features, 1), inv_std(twin, features, 1), y(twin, features, n);
    for (const bool training : {true, false}) {
        for (int s = 0; s < 2; ++s) {
            twin[s].batch_norm_forward(training, 0.1f, 1e-5f, x[s], gamma[s], beta[s],
                                       running_mean[s], running_var[s], mean[s], inv_std[s], y[s]);
        }
        INFO("training " << training);
        check_close(twin, y);
        check_close(twin, running_mean);
        check_close(twin, running_var);
    }
    Pair dy(twin, features, n, random_values(features * n, 13));
    // Backward adds to dgamma and dbeta (a later pass of a step): they start at nonzero values.
    Pair dx(twin, features, n), dgamma(twin, features, 1, random_values(features, 20)),
        dbeta(twin, features, 1, random_values(features, 21));
    for (int s = 0; s < 2; ++s) {
        twin[s].batch_norm_forward(true, 0.1f, 1e-5f, x[s], gamma[s], beta[s], running_mean[s],
                                   running_var[s], mean[s], inv_std[s], y[s]);
        twin[s].batch_norm_backward(x[s], gamma[s], mean[s], inv_std[s], dy[s], dx[s], dgamma[s],
                                    dbeta[s]);
    }
    check_close(twin, dx);
    check_close(twin, dgamma, 1e-4);
    check_close(twin, dbeta, 1e-4);
    Pair only_params(twin, features, 1);
    for (int s = 0; s < 2; ++s) {  // no input gradient (a first layer)
        twin[s].batch_norm_backward(x[s], gamma[s], mean[s], inv_std[s], dy[s], {}, only_params[s],
                                    dbeta[s]);
    }
    check_close(twin, only_params, 1e-4);
    check_close(twin, dbeta, 1e-4);

    Pair ln_mean(twin, 1, n), ln_inv_std(twin, 1, n);
    for (int s = 0; s < 2; ++s) {
        twin[s].layer_norm_forward(1e-5f, x[s], gamma[s], beta[s], ln_mean[s], ln_inv_std[s], y[s]);
        twin[s].layer_norm_backward(x[s], gamma[s], ln_mean[s], ln_inv_std[s], dy[s], dx[s],
                                    dgamma[s], dbeta[s]);
    }
    check_close(twin, y);
    check_close(twin, dx);
    check_close(twin, dgamma, kSumTolerance);
    check_close(twin, dbeta, 1e-4);
    for (int s = 0; s < 2; ++s) {  // no input gradient; adds to the parameter gradients again
        twin[s].layer_norm_backward(x[s], gamma[s], ln_mean[s], ln_inv_std[s], dy[s], {}, dgamma[s],
                                    dbeta[s]);
    }
    check_close(twin, dgamma, 1e-4);
    check_close(twin, dbeta, 1e-4);
}

TEST_CASE("gpu: losses with weights and label smoothing", "[gpu]") {
    Twin twin;
    const std::int64_t n = GENERATE(300, 3000), k = 5;
    const float smoothing = GENERATE(0.0f, 0.1f);
    INFO("n " << n << " smoothing " << smoothing);
    std::vector<float> binary(n), classes(n);
    for (std::int64_t i = 0; i < n; ++i) {
        binary[i] = static_cast<float>(i % 3 == 0);
        classes[i] = static_cast<float>(i % k);
    }
    std::vector<float> weights = random_values(n, 14);
    for (float& w : weights) w = std::abs(w) + 0.1f;
    Pair w(twin, 1, n, weights);
    for (const bool weighted : {false, true}) {
        INFO("weighted " << weighted);
        const auto weight = [&](int s) { return weighted ? w[s] : Tensor{}; };
        Pair logits(twin, 1, n, random_values(n, 15, 4.0)), targets(twin, 1, n, binary);
        // The gradient divided by a caller's divisor (a step's Σ w, of which this is a pass).
        const double divisor = 1.7 * static_cast<double>(n);
        Pair grad(twin, 1, n), loss(twin, 2, 1);
        for (int s = 0; s < 2; ++s) {
            twin[s].sigmoid_cross_entropy(logits[s], targets[s], weight(s), smoothing, divisor,
                                          grad[s], loss[s]);
        }
        check_close(twin, grad);
        check_close(twin, loss);

        Pair class_logits(twin, k, n, random_values(k * n, 16, 4.0)), labels(twin, 1, n, classes);
        Pair class_grad(twin, k, n);
        for (int s = 0; s < 2; ++s) {
            twin[s].softmax_cross_entropy(class_logits[s], labels[s], weight(s), smoothing, divisor,
                                          class_grad[s], loss[s]);
        }
        check_close(twin, class_grad);
        check_close(twin, loss);

        for (const RegressionLoss kind :
             {RegressionLoss::kMse, RegressionLoss::kMae, RegressionLoss::kHuber}) {
            Pair predictions(twin, 2, n, random_values(2 * n, 17, 2.0));
            Pair values(twin, 2, n, random_values(2 * n, 18, 2.0));
            Pair regression_grad(twin, 2, n);
            for (int s = 0; s < 2; ++s) {
                twin[s].regression_loss(kind, 1.0f, predictions[s], values[s], weight(s), divisor,
                                        regression_grad[s], loss[s]);
            }
            check_close(twin, regression_grad);
            check_close(twin, loss);
        }
    }
}

TEST_CASE("gpu: gather_columns", "[gpu]") {
    Twin twin;
    Pair src(twin, 6, 50, random_values(300, 19));
    const std::vector<std::uint32_t> indices = {49, 0, 7, 7, 31, 2, 18};
    Pair dst(twin, 6, 4);
    for (int s = 0; s < 2; ++s) {
        IndexBuffer device_indices = twin[s].allocate_indices(7);
        twin[s].upload_indices(indices.data(), 7, device_indices.data());
        twin[s].gather_columns(src[s], device_indices.data() + 3, dst[s]);  // the last four
    }
    check_close(twin, dst, 0.0);
}

TEST_CASE("gpu: periodic embeddings forward and backward, and copy_rows", "[gpu]") {
    Twin twin;
    const std::int64_t inputs = 7, cols = 130, k = 5;
    const std::vector<std::uint32_t> numeric = {0, 3, 4, 6}, others = {1, 2, 5};
    const std::vector<std::uint32_t> after = {20, 21, 22};  // where the others go
    const auto m = static_cast<std::int64_t>(numeric.size());
    Pair x(twin, inputs, cols, random_values(inputs * cols, 31));
    Pair frequencies(twin, k, m, random_values(k * m, 32, 0.3));
    Pair v(twin, 2 * k * m, cols), dv(twin, 2 * k * m, cols, random_values(2 * k * m * cols, 33));
    Pair frequency_grad(twin, k, m, random_values(k * m, 34));
    Pair dx(twin, inputs, cols, random_values(inputs * cols, 35));
    Pair out(twin, 23, cols, random_values(23 * cols, 36));
    for (int s = 0; s < 2; ++s) {
        IndexBuffer rows = twin[s].allocate_indices(m);
        twin[s].upload_indices(numeric.data(), m, rows.data());
        twin[s].periodic_forward(x[s], rows.data(), frequencies[s], v[s]);
        twin[s].periodic_backward(x[s], rows.data(), frequencies[s], v[s], dv[s], frequency_grad[s],
                                  dx[s]);
        twin[s].periodic_backward(x[s], rows.data(), frequencies[s], v[s], dv[s], frequency_grad[s],
                                  Tensor{});
        IndexBuffer from = twin[s].allocate_indices(3), to = twin[s].allocate_indices(3);
        twin[s].upload_indices(others.data(), 3, from.data());
        twin[s].upload_indices(after.data(), 3, to.data());
        twin[s].copy_rows(x[s], from.data(), out[s], to.data(), 3);
    }
    check_close(twin, v);
    check_close(twin, dx);  // the numeric rows written, the others kept
    check_close(twin, frequency_grad, kSumTolerance);
    check_close(twin, out, 0.0);
}

TEST_CASE("gpu: category embeddings forward and backward", "[gpu]") {
    Twin twin;
    const std::int64_t inputs = 4, cols = 150, d = 3;
    const std::vector<std::uint32_t> rows = {1, 3}, offsets = {0, 5};  // vocabularies 5 and 7
    std::vector<float> x = random_values(inputs * cols, 41);
    for (std::int64_t c = 0; c < cols; ++c) {
        x[c * inputs + 1] = static_cast<float>(c % 5);
        x[c * inputs + 3] = static_cast<float>((c * 3) % 7);
    }
    Pair input(twin, inputs, cols, x);
    Pair table(twin, d, 12, random_values(d * 12, 42));
    Pair out(twin, 2 * d, cols), d_out(twin, 2 * d, cols, random_values(2 * d * cols, 43));
    Pair table_grad(twin, d, 12, random_values(d * 12, 44));
    for (int s = 0; s < 2; ++s) {
        IndexBuffer device_rows = twin[s].allocate_indices(2), firsts = twin[s].allocate_indices(2);
        twin[s].upload_indices(rows.data(), 2, device_rows.data());
        twin[s].upload_indices(offsets.data(), 2, firsts.data());
        twin[s].embedding_forward(input[s], device_rows.data(), firsts.data(), 2, table[s], out[s]);
        twin[s].embedding_backward(input[s], device_rows.data(), firsts.data(), 2, d_out[s],
                                   table_grad[s]);
    }
    check_close(twin, out, 0.0);
    check_close(twin, table_grad, kSumTolerance);
}

TEST_CASE("gpu: every optimizer over three steps", "[gpu]") {
    Twin twin;
    const std::int64_t n = 5000;
    std::vector<OptimizerStep> steps(9);
    steps[0].kind = OptimizerStep::Kind::kSgd;
    steps[0].momentum = 0.9f;
    steps[0].nesterov = true;
    steps[0].weight_decay = 0.01f;
    steps[1].kind = OptimizerStep::Kind::kAdam;
    steps[1].weight_decay = 0.01f;
    steps[2].kind = OptimizerStep::Kind::kAdam;
    steps[2].weight_decay = 0.01f;
    steps[2].decoupled_weight_decay = true;
    steps[3].kind = OptimizerStep::Kind::kRmsprop;
    steps[3].centered = true;
    steps[3].momentum = 0.5f;
    steps[4].kind = OptimizerStep::Kind::kAdagrad;
    steps[4].lr_decay = 0.01f;
    steps[5].kind = OptimizerStep::Kind::kSgd;  // plain
    steps[6].kind = OptimizerStep::Kind::kSgd;
    steps[6].momentum = 0.8f;
    steps[6].dampening = 0.3f;
    steps[7].kind = OptimizerStep::Kind::kRmsprop;  // neither centred nor with momentum
    steps[8].kind = OptimizerStep::Kind::kAdagrad;
    steps[8].weight_decay = 0.05f;
    for (OptimizerStep step : steps) {
        INFO("optimizer kind " << static_cast<int>(step.kind));
        Pair params(twin, 1, n, random_values(n, 20));
        Pair slot0(twin, 1, n), slot1(twin, 1, n), slot2(twin, 1, n);
        for (step.step = 1; step.step <= 3; ++step.step) {
            Pair grads(twin, 1, n, random_values(n, 21 + step.step));
            for (int s = 0; s < 2; ++s) {
                twin[s].optimizer_update(step, params[s], grads[s], slot0[s], slot1[s], slot2[s]);
            }
        }
        check_close(twin, params);
        check_close(twin, slot0);
        check_close(twin, slot1);
        check_close(twin, slot2);
    }
}
