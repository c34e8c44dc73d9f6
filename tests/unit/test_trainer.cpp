#include <catch2/catch.hpp>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/core/error.h"
#include "dlctl/nn/model_builder.h"
#include "dlctl/train/trainer.h"

using namespace dlctl;

namespace {

/// Rows with two features; label 1 when x0 + x1 > 0 (or XOR of signs when `xor_labels`).
Dataset make_dataset(std::int64_t rows, std::uint64_t seed, bool xor_labels = false) {
    Dataset d;
    d.n_features = 2;
    d.n_rows = rows;
    Rng rng(seed, RngStream::kInit);
    for (std::int64_t i = 0; i < rows; ++i) {
        const float a = static_cast<float>(rng.uniform() * 2 - 1);
        const float b = static_cast<float>(rng.uniform() * 2 - 1);
        d.features.push_back(a);
        d.features.push_back(b);
        d.targets.push_back(xor_labels ? ((a > 0) != (b > 0) ? 1.0f : 0.0f)
                                       : (a + b > 0 ? 1.0f : 0.0f));
    }
    return d;
}

ModelSpec model_spec(int hidden, const std::string& activation, const std::string& output) {
    ModelSpec spec;
    spec.layers.push_back({"dense", hidden, activation, true, "glorot_uniform", 0.0});
    spec.layers.push_back({"dense", 1, output, true, "glorot_uniform", 0.0});
    return spec;
}

struct Setup {
    Setup(const ModelSpec& spec,
          const OptimizerSpec& opt,
          TrainerOptions options,
          const std::string& loss_name)
        : model(build_model(spec, 2)) {
        Rng rng(options.seed, RngStream::kInit);
        model->build(backend, options.batch_size, rng);
        loss = make_loss(loss_name, model->output_activation());
        optimizer = make_optimizer(opt);
        trainer = std::make_unique<Trainer>(backend, *model, *loss, *optimizer, options);
    }
    CpuBackend backend;
    std::unique_ptr<Sequential> model;
    std::unique_ptr<Loss> loss;
    std::unique_ptr<Optimizer> optimizer;
    std::unique_ptr<Trainer> trainer;
};

std::vector<double> train_losses(Setup& s, const Dataset& data) {
    std::vector<double> losses;
    const DeviceDataset d = s.trainer->upload(data);
    s.trainer->fit(d, nullptr, [&](const EpochResult& r) { losses.push_back(r.train.loss); });
    return losses;
}

}  // namespace

TEST_CASE("training separates a linearly separable problem", "[trainer]") {
    const Dataset data = make_dataset(200, 1);
    Setup s(model_spec(8, "relu", "sigmoid"), {"sgd", 0.1, 0.9}, {20, 16, 3, {"accuracy"}, true},
            "binary_crossentropy");
    const auto losses = train_losses(s, data);
    REQUIRE(losses.size() == 20);
    CHECK(losses.back() < 0.5 * losses.front());
    const Evaluation e = s.trainer->evaluate(s.trainer->upload(data));
    CHECK(e.metrics[0].second > 0.95);
}

TEST_CASE("a small tanh network fits XOR", "[trainer]") {
    const Dataset data = make_dataset(256, 2, true);
    Setup s(model_spec(16, "tanh", "sigmoid"), {"sgd", 0.1, 0.9}, {150, 16, 4, {"accuracy"}, true},
            "binary_crossentropy");
    train_losses(s, data);
    CHECK(s.trainer->evaluate(s.trainer->upload(data)).metrics[0].second > 0.93);
}

TEST_CASE("training fits a linear regression to tight error", "[trainer]") {
    Dataset data = make_dataset(256, 3);
    for (std::int64_t i = 0; i < data.n_rows; ++i) {
        data.targets[i] = 3.0f * data.features[2 * i] - 2.0f * data.features[2 * i + 1] + 0.5f;
    }
    ModelSpec spec;
    spec.layers.push_back({"dense", 1, "linear", true, "zeros", 0.0});
    Setup s(spec, {"sgd", 0.1, 0.9}, {60, 16, 5, {"rmse"}, false}, "mse");
    train_losses(s, data);
    CHECK(s.trainer->evaluate(s.trainer->upload(data)).metrics[0].second < 1e-3);
}

TEST_CASE("the same seed gives bit-identical losses", "[trainer]") {
    const Dataset data = make_dataset(100, 4);
    ModelSpec spec = model_spec(8, "relu", "sigmoid");
    spec.layers.insert(spec.layers.begin() + 1, LayerSpec{"dropout", 0, "linear", true, "", 0.5});
    auto run = [&](std::uint64_t seed) {
        Setup s(spec, {"sgd", 0.05, 0.0}, {5, 8, seed, {"accuracy"}, true}, "binary_crossentropy");
        return train_losses(s, data);
    };
    CHECK(run(9) == run(9));
    CHECK(run(9) != run(10));
}

TEST_CASE("the last partial batch counts with its true size", "[trainer]") {
    // With lr tiny, one epoch barely changes the model, so the epoch's training loss (10 rows in
    // batches of 4, 4 and 2) must equal the evaluation loss of the same model.
    const Dataset data = make_dataset(10, 5);
    Setup s(model_spec(4, "tanh", "sigmoid"), {"sgd", 1e-9, 0.0}, {1, 4, 6, {"accuracy"}, true},
            "binary_crossentropy");
    const auto losses = train_losses(s, data);
    const Evaluation e = s.trainer->evaluate(s.trainer->upload(data));
    CHECK(losses[0] == Approx(e.loss).epsilon(1e-5));
}

TEST_CASE("a non-finite loss stops training naming epoch and step", "[trainer]") {
    Dataset data = make_dataset(64, 6);
    for (std::int64_t i = 0; i < data.n_rows; ++i) data.targets[i] *= 1e30f;
    ModelSpec spec = model_spec(4, "relu", "linear");
    Setup s(spec, {"sgd", 10.0, 0.0}, {3, 16, 7, {"rmse"}, false}, "mse");
    const DeviceDataset d = s.trainer->upload(data);
    CHECK_THROWS_MATCHES(s.trainer->fit(d, nullptr, [](const EpochResult&) {}), DivergedError,
                         Catch::Matchers::Predicate<std::exception>(
                             [](const std::exception& e) {
                                 return std::string(e.what()).find("at epoch 1, step") !=
                                        std::string::npos;
                             },
                             "names epoch 1 and the step"));
}
