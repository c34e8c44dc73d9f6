// Finite-difference gradient checks for every layer, activation and loss: the analytic gradient of
// each parameter is compared with a central difference of the loss. Parameters are float32, so
// eps = 1e-3 balances truncation error (~eps²) against rounding of the loss (~1e-7 / eps); the
// tolerance 2e-3 (absolute, or relative above 1) sits well above both and far below the size of a
// wrong gradient. Kinked functions (relu, leaky_relu, mae) are checked on points that a
// perturbation of eps does not move across the kink for this seed.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <memory>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/loss/loss.h"
#include "dlctl/nn/activation_layer.h"
#include "dlctl/nn/dense.h"
#include "dlctl/nn/dropout.h"
#include "dlctl/nn/normalization.h"
#include "dlctl/nn/sequential.h"

using namespace dlctl;

namespace {

constexpr std::int64_t kInputs = 3, kBatch = 5;

struct Case {
    std::function<std::vector<std::unique_ptr<Layer>>(std::int64_t outputs)> layers;
    Activation output = Activation::kLinear;
    TrainSpec loss;
    int classes = 0;  ///< 0 regression, 1 binary, K multiclass
    bool weighted = false;
    float l1 = 0.0f, l2 = 0.0f;  ///< penalties of the hidden dense layer
};

TrainSpec loss_named(const std::string& name, double smoothing = 0.0) {
    TrainSpec spec;
    spec.loss = name;
    spec.label_smoothing = smoothing;
    spec.huber_delta = 0.7;
    return spec;
}

/// dense(4, hidden) → dropout → dense(outputs), the shape most cases use.
auto mlp(Activation hidden, float l1 = 0.0f, float l2 = 0.0f) {
    return [=](std::int64_t outputs) {
        std::vector<std::unique_ptr<Layer>> layers;
        layers.push_back(
            std::make_unique<Dense>(kInputs, 4, hidden, true, "glorot_uniform", l1, l2));
        layers.push_back(std::make_unique<Dropout>(4, 0.3f, 1));
        layers.push_back(
            std::make_unique<Dense>(4, outputs, Activation::kLinear, true, "glorot_uniform"));
        return layers;
    };
}

void check_gradients(const Case& c) {
    CpuBackend be;
    const std::int64_t outputs = c.classes > 1 ? c.classes : 1;
    Sequential model(c.layers(outputs), c.output);
    Rng rng(11, RngStream::kInit);
    model.build(be, kBatch, rng);

    Buffer x = be.allocate(kInputs * kBatch), y = be.allocate(kBatch), w = be.allocate(kBatch),
           slot = be.allocate(1);
    for (std::int64_t i = 0; i < kInputs * kBatch; ++i)
        x.data()[i] = static_cast<float>(rng.normal());
    for (std::int64_t i = 0; i < kBatch; ++i) {
        y.data()[i] = c.classes == 0 ? static_cast<float>(rng.normal())
                                     : static_cast<float>(i % (c.classes == 1 ? 2 : c.classes));
        w.data()[i] = 0.5f + static_cast<float>(i);
    }
    // Nonzero biases so every bias gradient is exercised away from symmetric points.
    const Tensor params = model.parameters();
    for (std::int64_t i = 0; i < params.size(); ++i) {
        params.data[i] += 0.05f * static_cast<float>(i % 3);
    }
    auto loss = make_loss(c.loss, c.output);
    loss->allocate(be, outputs * kBatch);

    const ForwardContext ctx{Mode::kTrain, 5, 3};
    const Tensor weights = c.weighted ? w.view(1, kBatch) : Tensor{};
    // The first dense layer's kernel: the first inputs × 4 parameters.
    auto penalty = [&] {
        double total = 0.0;
        for (std::int64_t i = 0; i < kInputs * 4; ++i) {
            total += c.l1 * std::abs(params.data[i]) + c.l2 * params.data[i] * params.data[i];
        }
        return total;
    };
    auto evaluate = [&] {
        const Tensor logits = model.forward(be, x.view(kInputs, kBatch), ctx);
        loss->forward_backward(be, logits, y.view(1, kBatch), weights, model.logits_grad(kBatch),
                               slot.view(1, 1));
        return static_cast<double>(slot.data()[0]) + penalty();
    };
    evaluate();
    model.backward(be, x.view(kInputs, kBatch));
    const std::vector<float> analytic(model.gradients().data,
                                      model.gradients().data + model.parameter_count());

    const float eps = 1e-3f;
    for (std::int64_t i = 0; i < params.size(); ++i) {
        const float saved = params.data[i];
        params.data[i] = saved + eps;
        const double plus = evaluate();
        params.data[i] = saved - eps;
        const double minus = evaluate();
        params.data[i] = saved;
        const double numeric = (plus - minus) / (2.0 * eps);
        INFO("parameter " << i << ": analytic " << analytic[i] << ", numeric " << numeric);
        CHECK(std::abs(numeric - analytic[i]) <=
              2e-3 *
                  std::max({1.0, std::abs(numeric), static_cast<double>(std::abs(analytic[i]))}));
    }
}

/// Equal up to the rounding of different summation orders.
void require_close(const float* a, const float* b, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        INFO("gradient " << i);
        REQUIRE(a[i] == Approx(b[i]).margin(1e-5));
    }
}

Activation act(const std::string& name, double alpha = 0.0) {
    return parse_activation(name, alpha);
}

}  // namespace

TEST_CASE("every activation's gradient matches finite differences", "[gradients]") {
    for (const auto& [name, alpha] :
         std::vector<std::pair<std::string, double>>{{"linear", 0},
                                                     {"relu", 0},
                                                     {"leaky_relu", 0.1},
                                                     {"elu", 1.0},
                                                     {"selu", 0},
                                                     {"gelu", 0},
                                                     {"tanh", 0},
                                                     {"sigmoid", 0},
                                                     {"softplus", 0},
                                                     {"swish", 0},
                                                     {"softmax", 0}}) {
        SECTION("hidden " + name + ", sigmoid + binary_crossentropy") {
            check_gradients({mlp(act(name, alpha)), Activation::kSigmoid,
                             loss_named("binary_crossentropy"), 1});
        }
    }
}

TEST_CASE("every loss's gradient matches finite differences", "[gradients]") {
    SECTION("binary_crossentropy with label smoothing and sample weights") {
        check_gradients({mlp(Activation::kTanh), Activation::kSigmoid,
                         loss_named("binary_crossentropy", 0.1), 1, true});
    }
    SECTION("categorical_crossentropy, 3 classes") {
        check_gradients({mlp(Activation::kTanh), Activation::kSoftmax,
                         loss_named("categorical_crossentropy"), 3});
    }
    SECTION("categorical_crossentropy with label smoothing and weights") {
        check_gradients({mlp(act("elu", 1.0)), Activation::kSoftmax,
                         loss_named("categorical_crossentropy", 0.2), 4, true});
    }
    for (const char* name : {"mse", "mae", "huber"}) {
        SECTION(std::string(name) + ", linear output") {
            check_gradients({mlp(Activation::kTanh), Activation::kLinear, loss_named(name), 0});
        }
        SECTION(std::string(name) + ", weighted") {
            check_gradients(
                {mlp(Activation::kTanh), Activation::kLinear, loss_named(name), 0, true});
        }
    }
    SECTION("mse through a sigmoid output (chained, not fused)") {
        check_gradients({mlp(Activation::kTanh), Activation::kSigmoid, loss_named("mse"), 0});
    }
    SECTION("huber through a softplus output") {
        check_gradients({mlp(Activation::kTanh), act("softplus"), loss_named("huber"), 0});
    }
}

TEST_CASE("L1 and L2 penalties add their gradients", "[gradients]") {
    check_gradients({mlp(Activation::kTanh, 0.01f, 0.05f), Activation::kSigmoid,
                     loss_named("binary_crossentropy"), 1, false, 0.01f, 0.05f});
}

TEST_CASE("standalone activation, batch_norm and layer_norm gradients", "[gradients]") {
    SECTION("dense → activation(gelu) → dense") {
        check_gradients({[](std::int64_t outputs) {
                             std::vector<std::unique_ptr<Layer>> layers;
                             layers.push_back(std::make_unique<Dense>(
                                 kInputs, 4, Activation::kLinear, true, "glorot_uniform"));
                             layers.push_back(std::make_unique<ActivationLayer>(4, act("gelu")));
                             layers.push_back(std::make_unique<Dense>(
                                 4, outputs, Activation::kLinear, true, "glorot_uniform"));
                             return layers;
                         },
                         Activation::kLinear, loss_named("mse"), 0});
    }
    SECTION("dense → batch_norm (training mode) → tanh → dense") {
        check_gradients({[](std::int64_t outputs) {
                             std::vector<std::unique_ptr<Layer>> layers;
                             layers.push_back(std::make_unique<Dense>(
                                 kInputs, 4, Activation::kLinear, true, "glorot_uniform"));
                             layers.push_back(std::make_unique<BatchNorm>(4, 0.1f, 1e-5f));
                             layers.push_back(
                                 std::make_unique<ActivationLayer>(4, Activation::kTanh));
                             layers.push_back(std::make_unique<Dense>(
                                 4, outputs, Activation::kLinear, true, "glorot_uniform"));
                             return layers;
                         },
                         Activation::kSigmoid, loss_named("binary_crossentropy"), 1});
    }
    SECTION("dense → layer_norm → dense, softmax output") {
        check_gradients({[](std::int64_t outputs) {
                             std::vector<std::unique_ptr<Layer>> layers;
                             layers.push_back(std::make_unique<Dense>(
                                 kInputs, 4, Activation::kSigmoid, true, "glorot_uniform"));
                             layers.push_back(std::make_unique<LayerNorm>(4, 1e-5f));
                             layers.push_back(std::make_unique<Dense>(
                                 4, outputs, Activation::kLinear, true, "glorot_uniform"));
                             return layers;
                         },
                         Activation::kSoftmax, loss_named("categorical_crossentropy"), 3});
    }
}

TEST_CASE("a layer after relu computes its input gradient only where relu passes it on",
          "[gradients]") {
    // dense relu 64 → dropout 0.5 → dense 16 → dense 1, twice: with the dropout fused into the
    // relu layer (which passes no gradient where its output is zero, so the next layer computes
    // its input gradient only where its input is nonzero), and as separate dense linear →
    // activation relu → dropout layers (a dropout passes gradients where kept zeros are, so the
    // next layer computes all of it). About a quarter of the 64 × 9 inputs of the second layer
    // are nonzero, so its products also skip zeros (cpu_sparse_products.h); the twins' gradients
    // agree up to the rounding of the two summation orders.
    const auto build = [](bool separate) {
        std::vector<std::unique_ptr<Layer>> layers;
        layers.push_back(std::make_unique<Dense>(
            kInputs, 64, separate ? Activation::kLinear : Activation::kRelu, true, "he_normal"));
        if (separate) layers.push_back(std::make_unique<ActivationLayer>(64, Activation::kRelu));
        layers.push_back(std::make_unique<Dropout>(64, 0.5f, 1));
        layers.push_back(std::make_unique<Dense>(64, 16, Activation::kRelu, true, "he_normal"));
        layers.push_back(std::make_unique<Dense>(16, 1, Activation::kLinear, true, "he_normal"));
        return std::make_unique<Sequential>(std::move(layers), Activation::kLinear);
    };
    CpuBackend be;
    const std::int64_t batch = 9;
    auto fused = build(false), separate = build(true);
    Rng rng_a(4, RngStream::kInit), rng_b(4, RngStream::kInit);
    fused->build(be, batch, rng_a);
    separate->build(be, batch, rng_b);
    Buffer x = be.allocate(kInputs * batch);
    Rng data(5, RngStream::kInit);
    for (std::int64_t i = 0; i < kInputs * batch; ++i) {
        x.data()[i] = static_cast<float>(data.normal());
    }
    const Tensor input = x.view(kInputs, batch);
    const ForwardContext train{Mode::kTrain, 5, 3};
    for (Sequential* model : {fused.get(), separate.get()}) {
        model->forward(be, input, train);
        const Tensor grad = model->logits_grad(batch);
        for (std::int64_t i = 0; i < grad.size(); ++i) {
            grad.data[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
        }
        model->backpropagate(be, input, false);
    }
    const Tensor a = fused->gradients(), b = separate->gradients();
    REQUIRE(a.size() == b.size());
    require_close(a.data, b.data, a.size());
    const auto nonzero =
        std::count_if(a.data, a.data + a.size(), [](float g) { return g != 0.0f; });
    CHECK(nonzero > a.size() / 4);  // the first layer's gradients are not all blocked
}

TEST_CASE("a dense relu layer applies the dropout after it as the two separate layers do", "[nn]") {
    // A dense relu layer takes over the dropout after it (applies the mask, takes its gradient
    // from its output); dense linear → activation relu → dropout is never fused. Twins with the
    // same parameters and the same dropout layer indices (so the same masks) give equal logits
    // and gradients, over two passes of a step (the second adds to the gradients). Gradients
    // agree up to rounding: after the fused layer, the next one computes its input gradient only
    // where relu passes it on, in its own summation order.
    struct Part {
        char kind;  ///< 'r' dense relu, 'l' dense linear, 'd' dropout
        std::int64_t size;
        std::uint64_t index = 0;  ///< a dropout's layer index
    };
    auto build = [](const std::vector<Part>& parts, bool separate) {
        std::vector<std::unique_ptr<Layer>> layers;
        std::int64_t width = kInputs;
        for (const Part& p : parts) {
            if (p.kind == 'd') {
                layers.push_back(std::make_unique<Dropout>(width, 0.4f, p.index));
                continue;
            }
            const bool relu = p.kind == 'r';
            layers.push_back(std::make_unique<Dense>(
                width, p.size, relu && !separate ? Activation::kRelu : Activation::kLinear, true,
                "he_normal"));
            if (relu && separate) {
                layers.push_back(std::make_unique<ActivationLayer>(p.size, Activation::kRelu));
            }
            width = p.size;
        }
        return std::make_unique<Sequential>(std::move(layers), Activation::kLinear);
    };
    // Two dropouts in a row (the second stays a layer); a model whose logits are a fused
    // dropout's output.
    const std::vector<Part> deep = {{'r', 37},    {'d', 37, 1}, {'r', 20},
                                    {'d', 20, 3}, {'d', 20, 4}, {'l', 2}};
    const std::vector<Part> ending = {{'r', 37}, {'d', 37, 1}, {'r', 3}, {'d', 3, 3}};
    for (const auto& [parts, fused_floats] :
         {std::pair{deep, std::int64_t{37 + 20 + 20 + 2}}, std::pair{ending, std::int64_t{40}}}) {
        INFO(parts.size() << " parts");
        CpuBackend be;
        const std::int64_t batch = 9;
        auto fused = build(parts, false), separate = build(parts, true);
        // Only the dropouts taken over keep no output of their own.
        CHECK(fused->activation_floats_per_sample() == fused_floats);
        Rng rng_a(4, RngStream::kInit), rng_b(4, RngStream::kInit);
        fused->build(be, batch, rng_a);
        separate->build(be, batch, rng_b);
        const auto values = [](const Tensor& t) {
            return std::vector<float>(t.data, t.data + t.size());
        };
        REQUIRE(values(fused->parameters()) == values(separate->parameters()));
        Buffer x = be.allocate(kInputs * batch);
        Rng data(5, RngStream::kInit);
        for (std::int64_t i = 0; i < kInputs * batch; ++i) {
            x.data()[i] = static_cast<float>(data.normal());
        }
        const Tensor input = x.view(kInputs, batch);
        // Two passes of step 3, the second's masks starting at column 8 of the batch (passes
        // are multiples of 8 columns).
        for (const std::int64_t first_column : {0, 8}) {
            const ForwardContext train{Mode::kTrain, 5, 3, first_column};
            CHECK(values(fused->forward(be, input, train)) ==
                  values(separate->forward(be, input, train)));
            for (Sequential* model : {fused.get(), separate.get()}) {
                const Tensor grad = model->logits_grad(batch);
                for (std::int64_t i = 0; i < grad.size(); ++i) {
                    grad.data[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
                }
                model->backpropagate(be, input, first_column > 0);
            }
            const std::vector<float> a = values(fused->gradients()),
                                     b = values(separate->gradients());
            REQUIRE(a.size() == b.size());
            require_close(a.data(), b.data(), static_cast<std::int64_t>(a.size()));
        }
        const ForwardContext eval{Mode::kEval};
        CHECK(values(fused->forward(be, input, eval)) ==
              values(separate->forward(be, input, eval)));
    }
}

TEST_CASE("batch_norm keeps PyTorch's running statistics and uses them in evaluation", "[nn]") {
    CpuBackend be;
    std::vector<std::unique_ptr<Layer>> layers;
    layers.push_back(std::make_unique<BatchNorm>(1, 0.1f, 0.0f));
    Sequential model(std::move(layers), Activation::kLinear);
    Rng rng(1, RngStream::kInit);
    model.build(be, 4, rng);
    Buffer x = be.allocate(4);
    const float values[] = {1, 2, 3, 6};  // mean 3, biased var 3.5, unbiased var 14/3
    be.upload(values, x.view(1, 4));
    const Tensor y = model.forward(be, x.view(1, 4), {Mode::kTrain, 0, 0});
    CHECK(y.data[0] == Approx(-2.0 / std::sqrt(3.5)));
    CHECK(model.state().data[0] == Approx(0.1 * 3.0));                   // running mean
    CHECK(model.state().data[1] == Approx(0.9 * 1.0 + 0.1 * 14.0 / 3));  // running var
    const Tensor e = model.forward(be, x.view(1, 4), {Mode::kEval, 0, 0});
    CHECK(e.data[0] == Approx((1.0 - 0.3) / std::sqrt(0.9 + 1.4 / 3)));
}

TEST_CASE("a single-row batch leaves batch_norm's running statistics alone", "[nn]") {
    CpuBackend be;
    std::vector<std::unique_ptr<Layer>> layers;
    layers.push_back(std::make_unique<BatchNorm>(1, 0.1f, 1e-5f));
    Sequential model(std::move(layers), Activation::kLinear);
    Rng rng(1, RngStream::kInit);
    model.build(be, 1, rng);
    Buffer x = be.allocate(1);
    const float value = 5.0f;
    be.upload(&value, x.view(1, 1));
    model.forward(be, x.view(1, 1), {Mode::kTrain, 0, 0});
    CHECK(model.state().data[0] == 0.0f);  // running mean
    CHECK(model.state().data[1] == 1.0f);  // running variance
}

TEST_CASE("cross-entropies require their output activation", "[loss]") {
    CHECK_THROWS_WITH(make_loss(loss_named("binary_crossentropy"), Activation::kLinear),
                      Catch::Matchers::Contains("needs a sigmoid output layer"));
    CHECK_THROWS_WITH(make_loss(loss_named("categorical_crossentropy"), Activation::kSigmoid),
                      Catch::Matchers::Contains("needs a softmax output layer"));
    CHECK_THROWS_WITH(make_loss(loss_named("hinge"), Activation::kLinear),
                      Catch::Matchers::Contains("unknown loss 'hinge'"));
}
