// Finite-difference gradient checks for every layer, activation and loss: the analytic gradient of
// each parameter is compared with a central difference of the loss. Parameters are float32, so
// eps = 1e-3 balances truncation error (~eps²) against rounding of the loss (~1e-7 / eps); the
// tolerance 2e-3 (absolute, or relative above 1) sits well above both.
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/loss/loss.h"
#include "dlctl/nn/dense.h"
#include "dlctl/nn/dropout.h"
#include "dlctl/nn/sequential.h"

using namespace dlctl;

namespace {

void check_gradients(Activation hidden, Activation output, const std::string& loss_name) {
    CpuBackend be;
    const std::int64_t batch = 5;
    std::vector<std::unique_ptr<Layer>> layers;
    layers.push_back(std::make_unique<Dense>(3, 4, hidden, true, "glorot_uniform"));
    layers.push_back(std::make_unique<Dropout>(4, 0.3f, 1));
    layers.push_back(std::make_unique<Dense>(4, 1, Activation::kLinear, true, "glorot_uniform"));
    Sequential model(std::move(layers), output);
    Rng rng(11, RngStream::kInit);
    model.build(be, batch, rng);

    Buffer x = be.allocate(3 * batch), y = be.allocate(batch), slot = be.allocate(1);
    for (std::int64_t i = 0; i < 3 * batch; ++i) x.data()[i] = static_cast<float>(rng.normal());
    for (std::int64_t i = 0; i < batch; ++i) {
        y.data()[i] = loss_name == "mse" ? static_cast<float>(rng.normal()) : (i % 2 ? 1.0f : 0.0f);
    }
    // Nonzero biases so every bias gradient is exercised away from symmetric points.
    const Tensor params = model.parameters();
    for (std::int64_t i = 0; i < params.size(); ++i)
        params.data[i] += 0.05f * static_cast<float>(i % 3);
    auto loss = make_loss(loss_name, output);
    loss->allocate(be, batch);

    const ForwardContext ctx{Mode::kTrain, 5, 3};
    auto evaluate = [&] {
        const Tensor logits = model.forward(be, x.view(3, batch), ctx);
        loss->forward_backward(be, logits, y.view(1, batch), model.logits_grad(batch),
                               slot.view(1, 1));
        return static_cast<double>(slot.data()[0]);
    };
    evaluate();
    model.backward(be, x.view(3, batch));
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

}  // namespace

TEST_CASE("dense + dropout gradients match finite differences", "[gradients]") {
    for (const Activation hidden :
         {Activation::kLinear, Activation::kRelu, Activation::kSigmoid, Activation::kTanh}) {
        SECTION(std::string("hidden ") + to_string(hidden) + ", sigmoid + binary_crossentropy") {
            check_gradients(hidden, Activation::kSigmoid, "binary_crossentropy");
        }
        SECTION(std::string("hidden ") + to_string(hidden) + ", linear + mse") {
            check_gradients(hidden, Activation::kLinear, "mse");
        }
    }
    SECTION("sigmoid output + mse (loss chained through the output activation)") {
        check_gradients(Activation::kTanh, Activation::kSigmoid, "mse");
    }
    SECTION("tanh output + mse") { check_gradients(Activation::kRelu, Activation::kTanh, "mse"); }
}

TEST_CASE("binary_crossentropy requires a sigmoid output", "[loss]") {
    CHECK_THROWS_WITH(make_loss("binary_crossentropy", Activation::kLinear),
                      Catch::Matchers::Contains("needs a sigmoid output layer"));
    CHECK_THROWS_WITH(make_loss("hinge", Activation::kLinear),
                      Catch::Matchers::Contains("unknown loss 'hinge'"));
}
