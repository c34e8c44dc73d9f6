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
#include "dlctl/backend/step_executor.h"
#include "dlctl/loss/loss.h"
#include "dlctl/loss/member_loss.h"
#include "dlctl/nn/activation_layer.h"
#include "dlctl/nn/batch_ensemble_dense.h"
#include "dlctl/nn/bin_embedding.h"
#include "dlctl/nn/category_embedding.h"
#include "dlctl/nn/dense.h"
#include "dlctl/nn/dropout.h"
#include "dlctl/nn/ensemble_input.h"
#include "dlctl/nn/independent_dense.h"
#include "dlctl/nn/normalization.h"
#include "dlctl/nn/parametric_activation.h"
#include "dlctl/nn/periodic_embedding.h"
#include "dlctl/nn/scale.h"
#include "dlctl/nn/sequential.h"
#include "support/backends.h"

using namespace dlctl;
using namespace dlctl::test;

namespace {

constexpr std::int64_t kInputs = 3, kBatch = 5;

struct Case {
    std::function<std::vector<std::unique_ptr<Layer>>(std::int64_t outputs)> layers;
    Activation output = Activation::kLinear;
    TrainSpec loss;
    int classes = 0;  ///< 0 regression, 1 binary, K multiclass
    bool weighted = false;
    float l1 = 0.0f, l2 = 0.0f;  ///< penalties of the hidden dense layer
    /// Per input, > 0: the input is a category index below this (category embeddings).
    std::vector<std::int64_t> categories = {};
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

/// A model's inputs, targets and weights in host memory, and a backend's copy.
struct Batch {
    Dataset host;
    DeviceDataset device;
    Batch(Backend& be, Dataset data) : host(std::move(data)) {
        device.host = &host;
        device.features = to_device(be, host.features);
        device.targets = to_device(be, host.targets);
        if (!host.weights.empty()) device.weights = to_device(be, host.weights);
    }
    Tensor features() const { return device.features.view(host.n_features, host.n_rows); }
    Tensor targets() const { return device.targets.view(1, host.n_rows); }
    Tensor weights() const {
        return host.weights.empty() ? Tensor{} : device.weights.view(1, host.n_rows);
    }
    double divisor() const {
        if (host.weights.empty()) return static_cast<double>(host.n_rows);
        double total = 0.0;
        for (float w : host.weights) total += w;
        return total;
    }
};

/// The reference: the model's layers one by one (Sequential), the step's mean loss (with
/// penalties) and its gradients, in host memory.
struct Reference {
    Reference(Backend& be, const Sequential& model, const Loss& plain_loss, const Batch& batch)
        : be(be),
          model(model),
          member_loss(model.members() > 1
                          ? std::make_unique<MemberLoss>(plain_loss, model.members())
                          : nullptr),
          loss(member_loss ? *member_loss : plain_loss),
          batch(batch),
          work(model.make_workspace(be, batch.host.n_rows, true)),
          scratch(be.allocate(
              loss.scratch_floats(model.output_size() * model.members() * batch.host.n_rows))),
          sums(be.allocate(2)) {}

    /// The mean loss of the batch under ctx; `gradients` (when non-null) gets its gradient.
    double evaluate(const ForwardContext& ctx, std::vector<float>* gradients = nullptr) {
        const std::int64_t n = batch.host.n_rows;
        const Tensor logits = model.forward(be, work, batch.features(), ctx);
        loss.forward_backward(be, logits, batch.targets(), batch.weights(), scratch.data(),
                              batch.divisor(), model.logits_grad(work, n), sums.view(2, 1));
        const std::vector<float> pair = to_host(be, sums.view(2, 1));
        if (gradients != nullptr) {
            be.fill(work.gradients(), 0.0f);
            model.backward(be, work);
            *gradients = to_host(be, work.gradients());
        }
        return pair[0] / (batch.divisor() * static_cast<double>(model.members()));
    }

    Backend& be;
    const Sequential& model;
    std::unique_ptr<Loss> member_loss;  ///< an ensemble's: the mean of its members' losses
    const Loss& loss;
    const Batch& batch;
    Workspace work;
    Buffer scratch, sums;
};

/// The step executor's gradients (no penalties) of the batch in row order, and its training
/// predictions; `pass_columns` as StepOptions.
std::pair<std::vector<float>, std::vector<float>> executor_step(Backend& be,
                                                                Sequential& model,
                                                                const Loss& loss,
                                                                const Batch& batch,
                                                                const ForwardContext& ctx,
                                                                std::int64_t pass_columns = 0) {
    const std::int64_t n = batch.host.n_rows;
    StepOptions options;
    options.batch_size = n;
    options.seed = ctx.seed;
    options.keep_predictions = true;
    options.pass_columns = pass_columns;
    const auto executor = make_step_executor(be, model, loss, options);
    std::vector<std::uint32_t> order(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
    executor->start_epoch(batch.device, order);
    executor->compute_gradients(0, n, ctx.step);
    std::vector<float> predictions(static_cast<std::size_t>(model.output_size() * n));
    executor->download_predictions(n, predictions.data());
    return {to_host(be, executor->gradients()), predictions};
}

/// Equal up to the rounding of different summation orders.
void require_close(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("element " << i);
        REQUIRE(a[i] == Approx(b[i]).margin(1e-5));
    }
}

Dataset random_batch(const Case& c, Rng& rng) {
    Dataset d;
    d.n_features = kInputs;
    d.n_rows = kBatch;
    for (std::int64_t i = 0; i < kInputs * kBatch; ++i) {
        const auto input = static_cast<std::size_t>(i % kInputs);
        const std::int64_t vocabulary = input < c.categories.size() ? c.categories[input] : 0;
        d.features.push_back(vocabulary > 0 ? static_cast<float>(rng.below(vocabulary))
                                            : static_cast<float>(rng.normal()));
    }
    for (std::int64_t i = 0; i < kBatch; ++i) {
        d.targets.push_back(c.classes == 0
                                ? static_cast<float>(rng.normal())
                                : static_cast<float>(i % (c.classes == 1 ? 2 : c.classes)));
        if (c.weighted) d.weights.push_back(0.5f + static_cast<float>(i));
    }
    return d;
}

/// On every backend: the reference's gradients against central differences of its loss, and
/// the step executor's against the reference's.
void check_gradients(const Case& c) {
    for (TestBackend& device : backends_present()) {
        INFO("backend " << device.name);
        Backend& be = *device.backend;
        const std::int64_t outputs = c.classes > 1 ? c.classes : 1;
        Sequential model(c.layers(outputs), c.output);
        Rng rng(11, RngStream::kInit);
        model.build(be, rng);
        const Batch batch(be, random_batch(c, rng));
        // Nonzero biases so every bias gradient is exercised away from symmetric points.
        std::vector<float> params = to_host(be, model.parameters());
        for (std::size_t i = 0; i < params.size(); ++i) {
            params[i] += 0.05f * static_cast<float>(i % 3);
        }
        be.upload(params.data(), model.parameters());
        const auto loss = make_loss(c.loss, c.output);
        Reference reference(be, model, *loss, batch);
        const ForwardContext ctx{Mode::kTrain, 5, 3};
        // The first dense layer's kernel: the first inputs × 4 parameters.
        auto penalty = [&] {
            double total = 0.0;
            for (std::int64_t i = 0; i < kInputs * 4; ++i) {
                total += c.l1 * std::abs(params[i]) + c.l2 * params[i] * params[i];
            }
            return total;
        };
        std::vector<float> unpenalised;
        reference.evaluate(ctx, &unpenalised);
        require_close(executor_step(be, model, *loss, batch, ctx).first, unpenalised);
        Buffer penalised = to_device(be, unpenalised);
        model.add_penalty_gradients(be, penalised.view(model.parameter_count(), 1));
        const std::vector<float> analytic = to_host(be, penalised.view(model.parameter_count(), 1));

        const float eps = 1e-3f;
        const auto loss_at = [&](std::size_t i, float value) {
            const float saved = params[i];
            params[i] = value;
            be.upload(params.data(), model.parameters());
            const double total = reference.evaluate(ctx) + penalty();
            params[i] = saved;
            return total;
        };
        for (std::size_t i = 0; i < params.size(); ++i) {
            const double numeric =
                (loss_at(i, params[i] + eps) - loss_at(i, params[i] - eps)) / (2.0 * eps);
            INFO("parameter " << i << ": analytic " << analytic[i] << ", numeric " << numeric);
            CHECK(std::abs(numeric - analytic[i]) <=
                  2e-3 * std::max(
                             {1.0, std::abs(numeric), static_cast<double>(std::abs(analytic[i]))}));
        }
        be.upload(params.data(), model.parameters());
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
                                                     {"mish", 0},
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

TEST_CASE("scale and parametric activation gradients (RealMLP's layers)", "[gradients]") {
    for (const char* name : {"selu", "mish", "tanh", "relu"}) {
        SECTION(std::string("scale → dense → parametric ") + name + " → dense") {
            const Activation activation = act(name);
            check_gradients({[activation](std::int64_t outputs) {
                                 std::vector<std::unique_ptr<Layer>> layers;
                                 layers.push_back(std::make_unique<Scale>(kInputs));
                                 layers.push_back(std::make_unique<Dense>(
                                     kInputs, 4, Activation::kLinear, true, "glorot_uniform"));
                                 layers.push_back(
                                     std::make_unique<ParametricActivation>(4, activation));
                                 layers.push_back(std::make_unique<Dropout>(4, 0.3f, 3));
                                 layers.push_back(std::make_unique<Dense>(
                                     4, outputs, Activation::kLinear, true, "glorot_uniform"));
                                 return layers;
                             },
                             Activation::kSigmoid, loss_named("binary_crossentropy", 0.1), 1});
        }
    }
}

TEST_CASE("periodic embedding gradients (PLR), with the input's through a scale layer",
          "[gradients]") {
    for (const bool scaled : {false, true}) {
        SECTION(scaled ? "scale → periodic → dense" : "periodic → dense") {
            check_gradients({[scaled](std::int64_t outputs) {
                                 std::vector<std::unique_ptr<Layer>> layers;
                                 if (scaled) layers.push_back(std::make_unique<Scale>(kInputs));
                                 // Inputs 0 and 2 embedded (2 units each), input 1 passed on.
                                 layers.push_back(std::make_unique<PeriodicEmbedding>(
                                     kInputs, std::vector<std::uint32_t>{0, 2}, 3, 2, 0.4));
                                 layers.push_back(std::make_unique<Dense>(5, 4, Activation::kTanh,
                                                                          true, "glorot_uniform"));
                                 layers.push_back(std::make_unique<Dense>(
                                     4, outputs, Activation::kLinear, true, "glorot_uniform"));
                                 return layers;
                             },
                             Activation::kLinear, loss_named("mse")});
        }
    }
}

TEST_CASE("bin embedding gradients (a linear layer per column of piecewise-linear bins)",
          "[gradients]") {
    for (const bool relu : {false, true}) {
        SECTION(relu ? "scale → bins with relu → dense" : "scale → bins, linear → dense") {
            check_gradients({[relu](std::int64_t outputs) {
                                 std::vector<std::unique_ptr<Layer>> layers;
                                 layers.push_back(std::make_unique<Scale>(kInputs));
                                 // Inputs 1 and 2 are one column's 2 bins; input 0 passes on.
                                 layers.push_back(std::make_unique<BinEmbedding>(
                                     kInputs, std::vector<std::uint32_t>{1, 2},
                                     std::vector<std::int64_t>{2}, 3,
                                     relu ? Activation::kRelu : Activation::kLinear));
                                 layers.push_back(std::make_unique<Dense>(4, 4, Activation::kTanh,
                                                                          true, "glorot_uniform"));
                                 layers.push_back(std::make_unique<Dense>(
                                     4, outputs, Activation::kLinear, true, "glorot_uniform"));
                                 return layers;
                             },
                             Activation::kLinear, loss_named("mse")});
        }
    }
}

TEST_CASE("category embedding gradients, then periodic embeddings of the numeric inputs",
          "[gradients]") {
    // Input 1 is a category of 4 values; inputs 0 and 2, numbers, pass on to the periodic layer
    // after the category's 2 embedded values.
    check_gradients(
        {[](std::int64_t outputs) {
             std::vector<std::unique_ptr<Layer>> layers;
             layers.push_back(std::make_unique<CategoryEmbedding>(
                 kInputs, std::vector<std::uint32_t>{1}, std::vector<std::int64_t>{4}, 2));
             layers.push_back(std::make_unique<PeriodicEmbedding>(
                 4, std::vector<std::uint32_t>{2, 3}, 3, 2, 0.4));
             layers.push_back(
                 std::make_unique<Dense>(6, 4, Activation::kTanh, true, "glorot_uniform"));
             layers.push_back(
                 std::make_unique<Dense>(4, outputs, Activation::kLinear, true, "glorot_uniform"));
             return layers;
         },
         Activation::kSoftmax,
         loss_named("categorical_crossentropy"),
         3,
         false,
         0.0f,
         0.0f,
         {0, 4, 0}});
}

TEST_CASE("the CPU's fused relu + dropout and sparse input gradients match the layers one by one",
          "[gradients]") {
    // The CPU executor runs a dense relu layer and the dropout after it as one, and a dense layer
    // after a relu computes its input gradient only where its input is nonzero (about a quarter
    // of the 64 × 9 inputs of the second layer of the first model, so its products also skip
    // zeros: cpu_sparse_products.h). Its gradients and predictions must equal the reference's up
    // to summation order, in one pass and in passes of 8 columns (the second pass's masks start
    // at column 8), for models with two dropouts in a row (the second stays a layer) and one
    // whose logits are a fused dropout's output.
    struct Part {
        char kind;  ///< 'r' dense relu, 'l' dense linear, 'd' dropout
        std::int64_t size;
        std::uint64_t index = 0;  ///< a dropout's layer index
    };
    const auto build = [](const std::vector<Part>& parts) {
        std::vector<std::unique_ptr<Layer>> layers;
        std::int64_t width = kInputs;
        for (const Part& p : parts) {
            if (p.kind == 'd') {
                layers.push_back(std::make_unique<Dropout>(width, 0.4f, p.index));
                continue;
            }
            layers.push_back(std::make_unique<Dense>(
                width, p.size, p.kind == 'r' ? Activation::kRelu : Activation::kLinear, true,
                "he_normal"));
            width = p.size;
        }
        // One output: mse on logits; several: softmax and cross-entropy.
        return std::make_unique<Sequential>(
            std::move(layers), width == 1 ? Activation::kLinear : Activation::kSoftmax);
    };
    const std::vector<std::vector<Part>> models = {
        {{'r', 64}, {'d', 64, 1}, {'r', 16}, {'l', 1}},
        {{'r', 37}, {'d', 37, 1}, {'r', 20}, {'d', 20, 3}, {'d', 20, 4}, {'l', 2}},
        {{'r', 37}, {'d', 37, 1}, {'r', 3}, {'d', 3, 3}}};
    CpuBackend be;
    for (std::size_t m = 0; m < models.size(); ++m) {
        INFO("model " << m);
        const auto model = build(models[m]);
        Rng rng(4, RngStream::kInit);
        model->build(be, rng);
        Dataset d;
        d.n_features = kInputs;
        d.n_rows = 9;
        for (std::int64_t i = 0; i < kInputs * d.n_rows; ++i) {
            d.features.push_back(static_cast<float>(rng.normal()));
        }
        const std::int64_t outputs = model->output_size();
        for (std::int64_t i = 0; i < d.n_rows; ++i) {
            d.targets.push_back(outputs == 1 ? 0.1f * static_cast<float>(i % 7) - 0.3f
                                             : static_cast<float>(i % outputs));
        }
        const Batch batch(be, d);
        const auto loss = make_loss(loss_named(outputs == 1 ? "mse" : "categorical_crossentropy"),
                                    model->output_activation());
        const ForwardContext ctx{Mode::kTrain, 5, 3};
        Reference reference(be, *model, *loss, batch);
        std::vector<float> expected;
        reference.evaluate(ctx, &expected);
        Workspace work = model->make_workspace(be, d.n_rows, false);
        Buffer expected_predictions = be.allocate(outputs * d.n_rows);
        be.activation(model->output_activation(), model->forward(be, work, batch.features(), ctx),
                      expected_predictions.view(outputs, d.n_rows));
        for (const std::int64_t pass_columns : {0, 8}) {
            INFO("passes of " << pass_columns);
            const auto [gradients, predictions] =
                executor_step(be, *model, *loss, batch, ctx, pass_columns);
            require_close(gradients, expected);
            require_close(predictions, to_host(be, expected_predictions.view(outputs, d.n_rows)));
            const auto nonzero = std::count_if(gradients.begin(), gradients.end(),
                                               [](float g) { return g != 0.0f; });
            CHECK(nonzero > static_cast<std::ptrdiff_t>(gradients.size() / 4));  // not all blocked
        }
    }
}

TEST_CASE("batch_norm keeps PyTorch's running statistics and uses them in evaluation", "[nn]") {
    for (TestBackend& device : backends_present()) {
        INFO("backend " << device.name);
        Backend& be = *device.backend;
        std::vector<std::unique_ptr<Layer>> layers;
        layers.push_back(std::make_unique<BatchNorm>(1, 0.1f, 0.0f));
        Sequential model(std::move(layers), Activation::kLinear);
        Rng rng(1, RngStream::kInit);
        model.build(be, rng);
        Workspace work = model.make_workspace(be, 4, false);
        // mean 3, biased var 3.5, unbiased var 14/3
        const Buffer x = to_device(be, {1, 2, 3, 6});
        const std::vector<float> y =
            to_host(be, model.forward(be, work, x.view(1, 4), {Mode::kTrain, 0, 0}));
        CHECK(y[0] == Approx(-2.0 / std::sqrt(3.5)));
        const std::vector<float> state = to_host(be, model.state());
        CHECK(state[0] == Approx(0.1 * 3.0));                   // running mean
        CHECK(state[1] == Approx(0.9 * 1.0 + 0.1 * 14.0 / 3));  // running var
        const std::vector<float> e =
            to_host(be, model.forward(be, work, x.view(1, 4), {Mode::kEval, 0, 0}));
        CHECK(e[0] == Approx((1.0 - 0.3) / std::sqrt(0.9 + 1.4 / 3)));
    }
}

TEST_CASE("a single-row batch leaves batch_norm's running statistics alone", "[nn]") {
    for (TestBackend& device : backends_present()) {
        INFO("backend " << device.name);
        Backend& be = *device.backend;
        std::vector<std::unique_ptr<Layer>> layers;
        layers.push_back(std::make_unique<BatchNorm>(1, 0.1f, 1e-5f));
        Sequential model(std::move(layers), Activation::kLinear);
        Rng rng(1, RngStream::kInit);
        model.build(be, rng);
        Workspace work = model.make_workspace(be, 1, false);
        const Buffer x = to_device(be, {5.0f});
        model.forward(be, work, x.view(1, 1), {Mode::kTrain, 0, 0});
        const std::vector<float> state = to_host(be, model.state());
        CHECK(state[0] == 0.0f);  // running mean
        CHECK(state[1] == 1.0f);  // running variance
    }
}

TEST_CASE("cross-entropies require their output activation", "[loss]") {
    CHECK_THROWS_WITH(make_loss(loss_named("binary_crossentropy"), Activation::kLinear),
                      Catch::Matchers::Contains("needs a sigmoid output layer"));
    CHECK_THROWS_WITH(make_loss(loss_named("categorical_crossentropy"), Activation::kSigmoid),
                      Catch::Matchers::Contains("needs a softmax output layer"));
    CHECK_THROWS_WITH(make_loss(loss_named("hinge"), Activation::kLinear),
                      Catch::Matchers::Contains("unknown loss 'hinge'"));
}

namespace {

constexpr std::int64_t kMembers = 3;

/// TabM: ensemble → BatchEnsemble dense (random-sign input scales) → dropout → BatchEnsemble
/// dense → a head a member.
auto tabm(Activation hidden) {
    return [=](std::int64_t outputs) {
        std::vector<std::unique_ptr<Layer>> layers;
        layers.push_back(std::make_unique<EnsembleInput>(kInputs, kMembers, false));
        layers.push_back(std::make_unique<BatchEnsembleDense>(kInputs, 4, kMembers, hidden, true,
                                                              "glorot_uniform", true));
        layers.push_back(std::make_unique<Dropout>(4, 0.3f, 2));
        layers.push_back(std::make_unique<BatchEnsembleDense>(4, 4, kMembers, hidden, false,
                                                              "glorot_uniform", false));
        layers.push_back(std::make_unique<IndependentDense>(
            4, outputs, kMembers, Activation::kLinear, true, "glorot_uniform"));
        return layers;
    };
}

/// TabM-mini: ensemble with per-member input scales → shared dense → a head a member.
auto tabm_mini(Activation hidden) {
    return [=](std::int64_t outputs) {
        std::vector<std::unique_ptr<Layer>> layers;
        layers.push_back(std::make_unique<EnsembleInput>(kInputs, kMembers, true));
        layers.push_back(std::make_unique<Dense>(kInputs, 4, hidden, true, "glorot_uniform"));
        layers.push_back(std::make_unique<IndependentDense>(4, outputs, kMembers, hidden, true,
                                                            "glorot_uniform"));
        layers.push_back(std::make_unique<IndependentDense>(
            outputs, outputs, kMembers, Activation::kLinear, true, "glorot_uniform"));
        return layers;
    };
}

}  // namespace

TEST_CASE("ensemble layers' gradients match finite differences (TabM, TabM-mini)",
          "[gradients][ensemble]") {
    SECTION("TabM, binary_crossentropy with sample weights") {
        check_gradients({tabm(Activation::kTanh), Activation::kSigmoid,
                         loss_named("binary_crossentropy"), 1, true});
    }
    SECTION("TabM, categorical_crossentropy, 3 classes") {
        check_gradients({tabm(act("elu", 1.0)), Activation::kSoftmax,
                         loss_named("categorical_crossentropy"), 3});
    }
    SECTION("TabM, mse") {
        check_gradients({tabm(Activation::kTanh), Activation::kLinear, loss_named("mse"), 0});
    }
    SECTION("TabM-mini (sigmoid hidden heads), huber with weights") {
        check_gradients(
            {tabm_mini(Activation::kSigmoid), Activation::kLinear, loss_named("huber"), 0, true});
    }
    SECTION("TabM-mini, categorical_crossentropy with label smoothing") {
        check_gradients({tabm_mini(Activation::kTanh), Activation::kSoftmax,
                         loss_named("categorical_crossentropy", 0.1), 4});
    }
}

TEST_CASE("an ensemble trains in passes as in one, and predicts its members' mean",
          "[gradients][ensemble]") {
    // Passes of 8 samples are 32 columns of 4 members: the dropout masks of the second pass
    // must continue the first's (ForwardContext::for_columns), the fused relu + dropout and the
    // sparse input gradient of the shared layers must work on member columns.
    CpuBackend be;
    constexpr std::int64_t members = 4, rows = 11;
    std::vector<std::unique_ptr<Layer>> layers;
    layers.push_back(std::make_unique<EnsembleInput>(kInputs, members, false));
    layers.push_back(std::make_unique<Dense>(kInputs, 24, Activation::kRelu, true, "he_normal"));
    layers.push_back(std::make_unique<Dropout>(24, 0.4f, 2));
    layers.push_back(std::make_unique<Dense>(24, 16, Activation::kRelu, true, "he_normal"));
    layers.push_back(std::make_unique<BatchEnsembleDense>(16, 8, members, Activation::kRelu, true,
                                                          "he_normal", true));
    layers.push_back(std::make_unique<Dropout>(8, 0.3f, 5));
    layers.push_back(std::make_unique<IndependentDense>(8, 3, members, Activation::kLinear, true,
                                                        "glorot_uniform"));
    Sequential model(std::move(layers), Activation::kSoftmax);
    REQUIRE(model.members() == members);
    Rng rng(8, RngStream::kInit);
    model.build(be, rng);
    Dataset d;
    d.n_features = kInputs;
    d.n_rows = rows;
    for (std::int64_t i = 0; i < kInputs * rows; ++i) {
        d.features.push_back(static_cast<float>(rng.normal()));
    }
    for (std::int64_t i = 0; i < rows; ++i) d.targets.push_back(static_cast<float>(i % 3));
    const Batch batch(be, d);
    const auto loss = make_loss(loss_named("categorical_crossentropy"), Activation::kSoftmax);
    const ForwardContext ctx{Mode::kTrain, 5, 3};
    Reference reference(be, model, *loss, batch);
    std::vector<float> expected;
    reference.evaluate(ctx, &expected);

    // The mean of the members' softmax outputs, by hand from the logits.
    Workspace work = model.make_workspace(be, rows, false);
    const std::vector<float> logits = to_host(be, model.forward(be, work, batch.features(), ctx));
    REQUIRE(logits.size() == static_cast<std::size_t>(3 * members * rows));
    std::vector<float> mean(static_cast<std::size_t>(3 * rows), 0.0f);
    for (std::int64_t column = 0; column < members * rows; ++column) {
        const float* z = logits.data() + 3 * column;
        const float top = std::max({z[0], z[1], z[2]});
        const double total = std::exp(z[0] - top) + std::exp(z[1] - top) + std::exp(z[2] - top);
        for (int c = 0; c < 3; ++c) {
            mean[static_cast<std::size_t>(3 * (column / members) + c)] +=
                static_cast<float>(std::exp(z[c] - top) / total / members);
        }
    }
    for (const std::int64_t pass_columns : {0, 8}) {
        INFO("passes of " << pass_columns);
        const auto [gradients, predictions] =
            executor_step(be, model, *loss, batch, ctx, pass_columns);
        require_close(gradients, expected);
        require_close(predictions, mean);
    }
}
