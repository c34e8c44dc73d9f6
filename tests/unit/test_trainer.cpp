#include <catch2/catch.hpp>
#include <cmath>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_step_executor.h"
#include "dlctl/core/error.h"
#include "dlctl/nn/data_init.h"
#include "dlctl/nn/dense.h"
#include "dlctl/nn/model_builder.h"
#include "dlctl/train/interrupt.h"
#include "dlctl/train/parameter_groups.h"
#include "dlctl/train/trainer.h"
#include "support/backends.h"

using namespace dlctl;
using namespace dlctl::test;

namespace {

/// Rows with two features in [-1, 1]; label 1 when x0 + x1 > 0 (or XOR of signs).
Dataset make_dataset(std::int64_t rows, std::uint64_t seed, bool xor_labels = false) {
    Dataset d;
    d.n_features = 2;
    d.n_rows = rows;
    Rng rng(seed, RngStream::kInit);
    for (std::int64_t i = 0; i < rows; ++i) {
        const auto a = static_cast<float>(rng.uniform() * 2 - 1);
        const auto b = static_cast<float>(rng.uniform() * 2 - 1);
        d.features.push_back(a);
        d.features.push_back(b);
        const bool label = xor_labels ? (a > 0) != (b > 0) : a + b > 0;
        d.targets.push_back(label ? 1.0f : 0.0f);
    }
    return d;
}

LayerSpec dense(int units,
                const std::string& activation,
                const std::string& init = "glorot_uniform") {
    LayerSpec s;
    s.type = "dense";
    s.units = units;
    s.activation = activation;
    s.init = init;
    s.l1 = s.l2 = 0.0;
    return s;
}

LayerSpec dropout(double rate) {
    LayerSpec s;
    s.type = "dropout";
    s.rate = rate;
    return s;
}

ModelSpec model_of(std::vector<LayerSpec> layers) {
    ModelSpec spec;
    spec.layers = std::move(layers);
    return spec;
}

OptimizerSpec optimizer(const std::string& type, double lr, double momentum = 0.0) {
    OptimizerSpec spec;
    spec.type = type;
    spec.lr = lr;
    spec.momentum = momentum;
    return spec;
}

TrainerOptions options(
    int epochs, int batch, std::uint64_t seed, std::vector<std::string> metrics, int classes) {
    TrainerOptions o;
    o.epochs = epochs;
    o.batch_size = batch;
    o.seed = seed;
    o.metrics = std::move(metrics);
    o.classes = classes;
    return o;
}

/// Where a Setup trains: a device (CPU threads), and for the CPU optionally passes of a fixed
/// width (StepOptions::pass_columns).
struct On {
    Device device{DeviceKind::kCpu, 0};
    int threads = 1;
    std::int64_t pass_columns = 0;
};

struct Setup {
    Setup(const ModelSpec& spec,
          const OptimizerSpec& opt,
          const TrainerOptions& o,
          const std::string& loss_name,
          const On& on = {},
          std::int64_t inputs = 2)
        : backend(make_backend(on.device, on.threads)), model(build_model(spec, inputs)) {
        Rng rng(o.seed, RngStream::kInit);
        model->build(*backend, rng);
        TrainSpec train;
        train.loss = loss_name;
        loss = make_loss(train, model->output_activation());
        optimizer = make_optimizer(opt);
        optimizer->set_groups(parameter_groups(spec, *model, opt));
        std::unique_ptr<StepExecutor> executor;
        if (on.pass_columns > 0) {
            executor =
                make_step_executor(*backend, *model, *loss,
                                   {o.batch_size, o.seed, !o.metrics.empty(), on.pass_columns});
        }
        trainer =
            std::make_unique<Trainer>(*backend, *model, *loss, *optimizer, o, std::move(executor));
    }
    std::vector<float> parameters() const { return to_host(*backend, model->parameters()); }

    std::unique_ptr<Backend> backend;
    std::unique_ptr<Sequential> model;
    std::unique_ptr<Loss> loss;
    std::unique_ptr<Optimizer> optimizer;
    std::unique_ptr<Trainer> trainer;
};

std::vector<EpochResult> train(Setup& s, const Dataset& data, const Dataset* validation = nullptr) {
    std::vector<EpochResult> epochs;
    const DeviceDataset d = s.trainer->upload(data);
    std::optional<DeviceDataset> v;
    if (validation != nullptr) v = s.trainer->upload(*validation);
    s.trainer->fit(d, v ? &*v : nullptr, [&](const EpochResult& r) { epochs.push_back(r); });
    return epochs;
}

}  // namespace

TEST_CASE("training separates a linearly separable problem", "[trainer]") {
    const On on{device_under_test()};
    const Dataset data = make_dataset(200, 1);
    Setup s(model_of({dense(8, "relu", "he_normal"), dense(1, "sigmoid")}),
            optimizer("sgd", 0.1, 0.9), options(20, 16, 3, {"accuracy"}, 1), "binary_crossentropy",
            on);
    const auto epochs = train(s, data);
    REQUIRE(epochs.size() == 20);
    CHECK(epochs.back().train.loss < 0.5 * epochs.front().train.loss);
    CHECK(s.trainer->evaluate(s.trainer->upload(data)).metrics[0].second > 0.95);
}

TEST_CASE("every optimizer fits XOR with a small tanh network", "[trainer]") {
    const On on{device_under_test()};
    const Dataset data = make_dataset(256, 2, true);
    for (const auto& [type, lr] : std::vector<std::pair<std::string, double>>{
             {"sgd", 0.1}, {"adam", 0.02}, {"adamw", 0.02}, {"rmsprop", 0.01}, {"adagrad", 0.3}}) {
        INFO(type);
        OptimizerSpec opt = optimizer(type, lr, type == "sgd" ? 0.9 : 0.0);
        if (type == "adamw") opt.weight_decay = 0.01;
        Setup s(model_of({dense(16, "tanh"), dense(1, "sigmoid")}), opt,
                options(150, 16, 4, {"accuracy"}, 1), "binary_crossentropy", on);
        train(s, data);
        CHECK(s.trainer->evaluate(s.trainer->upload(data)).metrics[0].second > 0.93);
    }
}

TEST_CASE("training fits a linear regression to tight error", "[trainer]") {
    const On on{device_under_test()};
    Dataset data = make_dataset(256, 3);
    for (std::int64_t i = 0; i < data.n_rows; ++i) {
        data.targets[i] = 3.0f * data.features[2 * i] - 2.0f * data.features[2 * i + 1] + 0.5f;
    }
    Setup s(model_of({dense(1, "linear", "zeros")}), optimizer("sgd", 0.1, 0.9),
            options(60, 16, 5, {"rmse", "r2"}, 0), "mse", on);
    train(s, data);
    const Evaluation e = s.trainer->evaluate(s.trainer->upload(data));
    CHECK(e.metrics[0].second < 1e-3);
    CHECK(e.metrics[1].second > 0.9999);
}

TEST_CASE("softmax classification separates three clusters", "[trainer]") {
    const On on{device_under_test()};
    Dataset data;
    data.n_features = 2;
    Rng rng(8, RngStream::kInit);
    const float centers[3][2] = {{-2, 0}, {2, 0}, {0, 2}};
    for (int i = 0; i < 300; ++i) {
        const int c = i % 3;
        data.features.push_back(centers[c][0] + 0.5f * static_cast<float>(rng.normal()));
        data.features.push_back(centers[c][1] + 0.5f * static_cast<float>(rng.normal()));
        data.targets.push_back(static_cast<float>(c));
    }
    data.n_rows = 300;
    Setup s(model_of({dense(8, "relu", "he_normal"), dense(3, "softmax")}), optimizer("adam", 0.01),
            options(30, 32, 9, {"accuracy", "f1_macro", "auc", "log_loss"}, 3),
            "categorical_crossentropy", on);
    train(s, data);
    const Evaluation e = s.trainer->evaluate(s.trainer->upload(data));
    CHECK(e.metrics[0].second > 0.95);
    CHECK(e.metrics[2].second > 0.98);
    REQUIRE(e.confusion.size() == 3);
    CHECK(e.confusion[0][0] + e.confusion[1][1] + e.confusion[2][2] > 285);
}

TEST_CASE("the same seed gives bit-identical losses", "[trainer]") {
    const On on{device_under_test()};
    const Dataset data = make_dataset(100, 4);
    const ModelSpec spec = model_of({dense(8, "relu"), dropout(0.5), dense(1, "sigmoid")});
    auto run = [&](std::uint64_t seed) {
        Setup s(spec, optimizer("adam", 0.01), options(5, 8, seed, {"accuracy"}, 1),
                "binary_crossentropy", on);
        std::vector<double> losses;
        for (const auto& r : train(s, data)) losses.push_back(r.train.loss);
        return losses;
    };
    CHECK(run(9) == run(9));
    CHECK(run(9) != run(10));
}

TEST_CASE("the last partial batch counts with its true size", "[trainer]") {
    const On on{device_under_test()};
    // With lr tiny, one epoch barely changes the model, so the epoch's training loss (10 rows in
    // batches of 4, 4 and 2) must equal the evaluation loss of the same model.
    const Dataset data = make_dataset(10, 5);
    Setup s(model_of({dense(4, "tanh"), dense(1, "sigmoid")}), optimizer("sgd", 1e-9),
            options(1, 4, 6, {"accuracy"}, 1), "binary_crossentropy", on);
    const auto epochs = train(s, data);
    const Evaluation e = s.trainer->evaluate(s.trainer->upload(data));
    CHECK(epochs[0].train.loss == Approx(e.loss).epsilon(1e-5));
}

TEST_CASE("a non-finite loss stops training naming epoch and step", "[trainer]") {
    const On on{device_under_test()};
    Dataset data = make_dataset(64, 6);
    for (std::int64_t i = 0; i < data.n_rows; ++i) data.targets[i] *= 1e30f;
    Setup s(model_of({dense(4, "relu"), dense(1, "linear")}), optimizer("sgd", 10.0),
            options(3, 16, 7, {"rmse"}, 0), "mse", on);
    const DeviceDataset d = s.trainer->upload(data);
    CHECK_THROWS_WITH(s.trainer->fit(d, nullptr, [](const EpochResult&) {}),
                      Catch::Matchers::Contains("at epoch 1, step"));
}

TEST_CASE("gradient clipping by norm keeps a steep problem finite", "[trainer]") {
    const On on{device_under_test()};
    Dataset data = make_dataset(64, 6);
    for (std::int64_t i = 0; i < data.n_rows; ++i) data.targets[i] *= 1000.0f;
    TrainerOptions o = options(3, 16, 7, {"rmse"}, 0);
    o.clip_norm = 1.0;
    Setup s(model_of({dense(4, "relu"), dense(1, "linear")}), optimizer("sgd", 0.1), o, "mse", on);
    CHECK_NOTHROW(train(s, data));
}

TEST_CASE("early stopping restores the best epoch's weights whether or not it fired", "[trainer]") {
    const On on{device_under_test()};
    const Dataset data = make_dataset(120, 10);
    const Dataset validation = make_dataset(60, 11, true);  // a different rule: val loss wanders
    for (const int patience : {100, 2}) {
        INFO("patience " << patience);
        TrainerOptions o = options(25, 16, 12, {"accuracy"}, 1);
        o.early_stopping.enabled = true;
        o.early_stopping.monitor = "val_loss";
        o.early_stopping.mode = "min";
        o.early_stopping.patience = patience;
        Setup s(model_of({dense(16, "tanh"), dense(1, "sigmoid")}), optimizer("adam", 0.05), o,
                "binary_crossentropy", on);
        const auto epochs = train(s, data, &validation);
        double best = 1e9;
        int best_epoch = 0;
        for (const auto& r : epochs) {
            if (r.validation->loss < best) {
                best = r.validation->loss;
                best_epoch = r.epoch;
            }
        }
        if (patience == 2) CHECK(static_cast<int>(epochs.size()) == best_epoch + 2);
        const Evaluation restored = s.trainer->evaluate(s.trainer->upload(validation));
        CHECK(restored.loss == Approx(best).epsilon(1e-6));
    }
}

TEST_CASE("validation runs every N epochs and on the last", "[trainer]") {
    const On on{device_under_test()};
    const Dataset data = make_dataset(40, 13);
    TrainerOptions o = options(5, 8, 14, {"accuracy"}, 1);
    o.validate_every = 2;
    Setup s(model_of({dense(1, "sigmoid")}), optimizer("sgd", 0.1), o, "binary_crossentropy", on);
    const auto epochs = train(s, data, &data);
    CHECK_FALSE(epochs[0].validation);
    CHECK(epochs[1].validation);
    CHECK_FALSE(epochs[2].validation);
    CHECK(epochs[3].validation);
    CHECK(epochs[4].validation);
}

TEST_CASE("the schedule sets each epoch's learning rate", "[trainer]") {
    const On on{device_under_test()};
    const Dataset data = make_dataset(40, 15);
    TrainerOptions o = options(4, 8, 16, {"accuracy"}, 1);
    o.schedule.type = "step";
    o.schedule.step_size = 2;
    o.schedule.gamma = 0.5;
    Setup s(model_of({dense(1, "sigmoid")}), optimizer("sgd", 0.2), o, "binary_crossentropy", on);
    const auto epochs = train(s, data);
    CHECK(epochs[0].learning_rate == Approx(0.2));
    CHECK(epochs[2].learning_rate == Approx(0.1));
}

TEST_CASE("learning-rate factors: a layer at lr_scale 0 and a bias at bias_lr_scale 0 stay put",
          "[trainer]") {
    const On on{device_under_test()};
    const Dataset data = make_dataset(40, 15);
    LayerSpec scale;
    scale.type = "scale";
    scale.lr_scale = 0.0;
    LayerSpec output = dense(1, "sigmoid");
    output.bias_lr_scale = 0.0;
    const ModelSpec spec = model_of({scale, dense(4, "tanh"), output});
    Setup s(spec, optimizer("adam", 0.05), options(3, 8, 16, {}, 1), "binary_crossentropy", on);
    const std::vector<float> before = s.parameters();
    train(s, data);
    const std::vector<float> after = s.parameters();
    // scale (2) | dense weight (8) + bias (4) | output weight (4) + bias (1)
    REQUIRE(after.size() == 19);
    CHECK(after[0] == before[0]);
    CHECK(after[1] == before[1]);
    CHECK(after[18] == before[18]);
    for (std::size_t i : {2u, 10u, 14u}) CHECK(after[i] != before[i]);
}

TEST_CASE("parameter groups: ntk divides dense weights' rate by sqrt(inputs), not their decay",
          "[trainer]") {
    const auto backend = make_backend({DeviceKind::kCpu, 0}, 1);
    LayerSpec hidden = dense(16, "relu");
    hidden.lr_scale = 2.0;
    hidden.bias_lr_scale = 0.1;
    ModelSpec spec = model_of({hidden, dense(1, "linear")});
    spec.parametrization = "ntk";
    const auto model = build_model(spec, 4);
    Rng rng(1, RngStream::kInit);
    model->build(*backend, rng);
    OptimizerSpec adamw = optimizer("adamw", 0.1);
    adamw.bias_decay = false;
    const std::vector<ParameterGroup> groups = parameter_groups(spec, *model, adamw);
    REQUIRE(groups.size() == 4);  // weight, bias, output weight, output bias
    CHECK(groups[0].count == 64);
    CHECK(groups[0].lr_factor == Approx(2.0 / 2.0));  // lr_scale / sqrt(4)
    CHECK(groups[0].decay_factor == Approx(2.0));
    CHECK(groups[1].lr_factor == Approx(0.2));
    CHECK(groups[1].decay_factor == 0.0);
    CHECK(groups[2].lr_factor == Approx(0.25));  // 1 / sqrt(16)
    CHECK(groups[3].offset == 64 + 16 + 16);

    spec.parametrization = "standard";
    const std::vector<ParameterGroup> plain =
        parameter_groups(spec, *model, optimizer("adam", 0.1));
    REQUIRE(plain.size() == 3);  // the output layer's weight and bias learn alike: one group
    CHECK(plain[2].count == 17);
}

TEST_CASE("a weight-decay factor of 0 turns AdamW's decay off, a dropout factor of 0, dropout",
          "[trainer]") {
    const auto backend = make_backend({DeviceKind::kCpu, 0}, 1);
    OptimizerSpec adamw = optimizer("adamw", 0.1);
    adamw.weight_decay = 0.5;
    Optimizer opt(adamw);
    opt.allocate(*backend, 2);
    Buffer params = backend->allocate(2), grads = backend->allocate(2);
    backend->fill(params.view(2, 1), 1.0f);
    backend->fill(grads.view(2, 1), 0.0f);
    opt.set_weight_decay_factor(0.0);
    opt.step(*backend, params.view(2, 1), grads.view(2, 1));
    CHECK(to_host(*backend, params.view(2, 1))[0] == 1.0f);
    opt.set_weight_decay_factor(1.0);
    opt.step(*backend, params.view(2, 1), grads.view(2, 1));
    CHECK(to_host(*backend, params.view(2, 1))[0] == Approx(1.0 - 0.1 * 0.5));

    auto model = build_model(model_of({dense(8, "tanh"), dropout(0.5), dense(1, "linear")}), 3);
    Rng rng(2, RngStream::kInit);
    model->build(*backend, rng);
    Workspace work = model->make_workspace(*backend, 4, true);
    const std::vector<float> x = {0.1f, 0.2f, 0.3f,  -1.0f, 0.5f, 2.0f,
                                  0.0f, 1.0f, -0.5f, 0.3f,  0.3f, 0.3f};
    Buffer input = to_device(*backend, x);
    auto run = [&](Mode mode) {
        const ForwardContext ctx{mode, 7, 1};
        return to_host(*backend, model->forward(*backend, work, input.view(3, 4), ctx));
    };
    const std::vector<float> eval = run(Mode::kEval);
    CHECK(run(Mode::kTrain) != eval);
    model->set_dropout_factor(0.0f);
    CHECK(run(Mode::kTrain) == eval);
}

TEST_CASE("Ctrl-C stops after the current step and reports it", "[trainer]") {
    const On on{device_under_test()};
    const Dataset data = make_dataset(40, 17);
    Setup s(model_of({dense(1, "sigmoid")}), optimizer("sgd", 0.1),
            options(10, 8, 18, {"accuracy"}, 1), "binary_crossentropy", on);
    InterruptGuard guard;
    const DeviceDataset d = s.trainer->upload(data);
    const FitResult result = s.trainer->fit(d, nullptr, [](const EpochResult& r) {
        if (r.epoch == 2) InterruptGuard::request();
    });
    CHECK(result.stop_reason == "interrupted");
    CHECK(result.epochs_run == 2);
}

TEST_CASE("interrupt guards nest: an inner one keeps the outer one's signal", "[trainer]") {
    const InterruptGuard outer;
    InterruptGuard::request();
    {
        const InterruptGuard inner;  // a cross-validation fold
        CHECK(InterruptGuard::requested());
    }
    CHECK(InterruptGuard::requested());
}

TEST_CASE("a batch trained in several passes takes the same steps as in one pass", "[trainer]") {
    // Weighted rows (a pass of weight 0 among them), dropout, layer_norm, an L2 penalty and
    // clipping: every part of a step that a split could get wrong. Batches of 32 in passes of 24
    // (24, 8; the last batch of 4 rows is one pass), on one lane or on two side by side.
    Dataset data = make_dataset(100, 21);
    for (std::int64_t i = 0; i < data.n_rows; ++i) {
        // Rows 0-23 (unshuffled: the whole first pass) and every 7th weigh nothing.
        data.weights.push_back(i < 24 || i % 7 == 0 ? 0.0f : 0.5f + static_cast<float>(i % 3));
    }
    LayerSpec norm;
    norm.type = "layer_norm";
    LayerSpec hidden = dense(16, "relu", "he_normal");
    hidden.l2 = 1e-3;
    const ModelSpec spec = model_of({hidden, dropout(0.3), norm, dense(1, "sigmoid")});
    auto run = [&](std::int64_t pass_columns, int threads, std::vector<float>& params) {
        TrainerOptions o = options(3, 32, 12, {"accuracy"}, 1);
        o.clip_norm = 0.5;
        o.shuffle = false;
        Setup s(spec, optimizer("adam", 0.01), o, "binary_crossentropy",
                {{DeviceKind::kCpu, 0}, threads, pass_columns});
        std::vector<double> losses;
        for (const auto& r : train(s, data)) losses.push_back(r.train.loss);
        params = s.parameters();
        return losses;
    };
    std::vector<float> whole;
    const std::vector<double> whole_losses = run(0, 1, whole);
    for (const int threads : {1, 2}) {
        INFO(threads << " threads");
        std::vector<float> split;
        const std::vector<double> split_losses = run(24, threads, split);
        REQUIRE(whole_losses.size() == split_losses.size());
        for (std::size_t e = 0; e < whole_losses.size(); ++e) {
            CHECK(split_losses[e] == Approx(whole_losses[e]).epsilon(1e-5));
        }
        REQUIRE(whole.size() == split.size());
        // After 12 Adam steps of lr 0.01, float rounding of the split sums moves a weight ~1e-6.
        for (std::size_t i = 0; i < whole.size(); ++i) {
            INFO("parameter " << i);
            CHECK(split[i] == Approx(whole[i]).margin(2e-5));
        }
        // Lanes add their gradients in a fixed order: a rerun is bit-identical.
        std::vector<float> again;
        CHECK(run(24, threads, again) == split_losses);
        CHECK(again == split);
    }
}

TEST_CASE("two threads train a batch of 256 in two lanes, as one pass does", "[trainer]") {
    // The default plan: 2 threads and 256 rows a batch give two passes of 128, side by side.
    const Dataset data = make_dataset(300, 22);
    const ModelSpec spec =
        model_of({dense(32, "relu", "he_normal"), dropout(0.2), dense(1, "sigmoid")});
    auto run = [&](int threads, std::vector<float>& params) {
        const TrainerOptions o = options(2, 256, 13, {"accuracy"}, 1);
        Setup s(spec, optimizer("adam", 0.01), o, "binary_crossentropy",
                {{DeviceKind::kCpu, 0}, threads});
        const CpuStepExecutor probe(dynamic_cast<CpuBackend&>(*s.backend), *s.model, *s.loss,
                                    {o.batch_size, o.seed, true, 0});
        CHECK(probe.plan().lanes == threads);
        std::vector<double> losses;
        for (const auto& r : train(s, data)) losses.push_back(r.train.loss);
        params = s.parameters();
        return losses;
    };
    std::vector<float> one, two;
    const std::vector<double> one_losses = run(1, one), two_losses = run(2, two);
    REQUIRE(one_losses.size() == two_losses.size());
    for (std::size_t e = 0; e < one_losses.size(); ++e) {
        CHECK(two_losses[e] == Approx(one_losses[e]).epsilon(1e-5));
    }
    for (std::size_t i = 0; i < one.size(); ++i) {
        INFO("parameter " << i);
        CHECK(two[i] == Approx(one[i]).margin(1e-5));
    }
}

TEST_CASE("CPU passes are cache-sized, one lane a thread, unless a layer mixes samples",
          "[trainer]") {
    const auto plain = build_model(model_of({dense(1024, "relu"), dense(1, "sigmoid")}), 8);
    const std::int64_t floats = CpuProgram(*plain).activation_floats_per_sample();
    const auto plan = [&](int threads, std::int64_t batch) {
        return plan_cpu_passes(threads, batch, floats, plain->mixes_samples());
    };
    const CpuPassPlan large = plan(1, 4096);
    CHECK(large.columns < 4096);
    CHECK(large.columns >= 64);
    CHECK(large.columns % 64 == 0);
    CHECK(large.lanes == 1);
    CHECK(plan(2, 4096).columns == large.columns);
    CHECK(plan(2, 4096).lanes == 2);
    // Two lanes share a batch of 256 evenly, and one of 130 about evenly (80 + 50); a batch of
    // 100 is too small to share.
    CHECK(plan(2, 256).columns == 128);
    CHECK(plan(2, 130).columns == 80);
    CHECK(plan(2, 130).lanes == 2);
    CHECK(plan(2, 100).columns == 100);
    CHECK(plan(2, 100).lanes == 1);
    CHECK(plan(1, 32).columns == 32);
    LayerSpec batch_norm;
    batch_norm.type = "batch_norm";
    const auto mixing =
        build_model(model_of({dense(1024, "relu"), batch_norm, dense(1, "sigmoid")}), 8);
    REQUIRE(mixing->mixes_samples());
    const CpuPassPlan whole = plan_cpu_passes(
        2, 4096, CpuProgram(*mixing).activation_floats_per_sample(), mixing->mixes_samples());
    CHECK(whole.columns == 4096);
    CHECK(whole.lanes == 1);
}

/// Trains `spec` on the CPU, then on every device present: a rerun on the CPU is bit-identical,
/// another device agrees to float rounding, epoch by epoch and in the final weights.
void check_devices_train_alike(const ModelSpec& spec,
                               const OptimizerSpec& opt,
                               const TrainerOptions& o,
                               const Dataset& data) {
    const auto run = [&](const Device& device, std::vector<float>& params) {
        Setup s(spec, opt, o, "binary_crossentropy", {device});
        std::vector<EpochResult> epochs = train(s, data);
        params = s.parameters();
        return epochs;
    };
    std::vector<float> reference_params;
    const std::vector<EpochResult> reference = run({DeviceKind::kCpu, 0}, reference_params);
    for (TestBackend& present : backends_present()) {
        INFO("device " << present.name);
        const bool cpu = present.backend->device().kind == DeviceKind::kCpu;
        std::vector<float> params;
        const std::vector<EpochResult> epochs = run(present.backend->device(), params);
        REQUIRE(epochs.size() == reference.size());
        for (std::size_t e = 0; e < epochs.size(); ++e) {
            INFO("epoch " << e + 1);
            const double tolerance = cpu ? 0.0 : 1e-4;
            CHECK(epochs[e].train.loss == Approx(reference[e].train.loss).epsilon(tolerance));
            CHECK(epochs[e].train.metrics[1].second ==
                  Approx(reference[e].train.metrics[1].second).epsilon(tolerance));
        }
        REQUIRE(params.size() == reference_params.size());
        for (std::size_t i = 0; i < params.size(); ++i) {
            INFO("parameter " << i);
            CHECK(params[i] == Approx(reference_params[i]).margin(cpu ? 0.0 : 1e-4));
        }
    }
}

TEST_CASE("every device trains the same steps as the CPU", "[trainer]") {
    // Shuffled rows (the epoch's order staged on the device, each batch gathered there), a last
    // partial batch, sample weights, dropout, batch and layer norm, an L2 penalty, clipping and
    // Adam: each device's executor against the CPU's.
    Dataset data = make_dataset(150, 23);
    for (std::int64_t i = 0; i < data.n_rows; ++i) {
        data.weights.push_back(0.25f + static_cast<float>(i % 4));
    }
    LayerSpec layer_norm, batch_norm;
    layer_norm.type = "layer_norm";
    batch_norm.type = "batch_norm";
    LayerSpec hidden = dense(24, "relu", "he_normal");
    hidden.l2 = 1e-3;
    const ModelSpec spec = model_of(
        {hidden, dropout(0.25), batch_norm, dense(12, "tanh"), layer_norm, dense(1, "sigmoid")});
    TrainerOptions o = options(4, 32, 31, {"accuracy", "auc"}, 1);
    o.clip_norm = 1.0;
    check_devices_train_alike(spec, optimizer("adam", 0.01), o, data);
}

TEST_CASE("every device trains RealMLP's layers, factors and schedules as the CPU does",
          "[trainer]") {
    // A scale layer, parametric mish, ntk and per-layer rates, AdamW sparing biases, coslog, and
    // dropout and weight decay on flat_cos.
    const Dataset data = make_dataset(150, 29);
    LayerSpec scale, parametric;
    scale.type = "scale";
    scale.lr_scale = 6.0;
    parametric.type = "activation";
    parametric.activation = "mish";
    parametric.parametric = true;
    parametric.lr_scale = 0.1;
    LayerSpec hidden = dense(16, "linear");
    hidden.bias_lr_scale = 0.1;
    ModelSpec spec = model_of({scale, hidden, parametric, dropout(0.3), dense(1, "sigmoid")});
    spec.parametrization = "ntk";
    OptimizerSpec adamw = optimizer("adamw", 0.04);
    adamw.weight_decay = 0.02;
    adamw.bias_decay = false;
    TrainerOptions o = options(4, 32, 37, {"accuracy", "auc"}, 1);
    o.schedule.type = "coslog";
    o.dropout_schedule = "flat_cos";
    o.weight_decay_schedule = "flat_cos";
    check_devices_train_alike(spec, adamw, o, data);
}

TEST_CASE("every device trains periodic embeddings (PLR) as the CPU does", "[trainer]") {
    const Dataset data = make_dataset(150, 43);
    LayerSpec periodic;
    periodic.type = "periodic_embedding";
    periodic.units = 6;
    periodic.frequencies = 8;
    periodic.sigma = 0.5;
    const ModelSpec spec = model_of({periodic, dense(16, "relu"), dense(1, "sigmoid")});
    check_devices_train_alike(spec, optimizer("adamw", 0.01),
                              options(3, 32, 41, {"accuracy", "auc"}, 1), data);
}

TEST_CASE("data_init gives each dense unit unit-variance pre-activations with its kink among them",
          "[nn]") {
    const auto backend = make_backend({DeviceKind::kCpu, 0}, 1);
    LayerSpec scale;
    scale.type = "scale";
    const ModelSpec spec =
        model_of({scale, dense(8, "relu"), dropout(0.5), dense(6, "tanh"), dense(1, "sigmoid")});
    const auto model = build_model(spec, 3);
    Rng rng(3, RngStream::kInit);
    model->build(*backend, rng);
    Dataset data = make_dataset(300, 41);
    data.n_features = 2;
    std::vector<float> features;  // a third, constant input: its weights stay finite
    for (std::int64_t i = 0; i < data.n_rows; ++i) {
        features.push_back(3.0f * data.features[2 * i] + 5.0f);
        features.push_back(data.features[2 * i + 1]);
        features.push_back(2.0f);
    }
    const std::vector<float> rows = sample_rows(features, 3, data.n_rows, 200, rng);
    REQUIRE(rows.size() == 600);
    Buffer sample = to_device(*backend, rows);
    initialize_from_data(*backend, *model, sample.view(3, 200), rng);

    // Layer by layer on the same rows: z = W x + b has standard deviation 1 and changes sign.
    Tensor x = sample.view(3, 200);
    std::vector<Buffer> outputs;
    for (const auto& layer : model->layers()) {
        if (const auto* d = dynamic_cast<const Dense*>(layer.get())) {
            const std::int64_t units = d->weight().rows;
            Buffer z = backend->allocate(units * 200);
            backend->gemm(false, false, 1.0f, d->weight(), x, 0.0f, z.view(units, 200));
            const std::vector<float> host = to_host(*backend, z.view(units, 200));
            const std::vector<float> bias = to_host(*backend, d->bias());
            for (std::int64_t j = 0; j < units; ++j) {
                double sum = 0.0, squares = 0.0, low = 1e30, high = -1e30;
                for (std::int64_t c = 0; c < 200; ++c) {
                    const double v = host[c * units + j];
                    sum += v;
                    squares += v * v;
                    low = std::min(low, v + bias[j]);
                    high = std::max(high, v + bias[j]);
                }
                const double mean = sum / 200.0;
                CHECK(std::sqrt(squares / 200.0 - mean * mean) == Approx(1.0).epsilon(1e-3));
                CHECK(low <= 0.0);
                CHECK(high >= 0.0);
            }
        }
        outputs.push_back(backend->allocate(layer->workspace_floats(x.cols)));
        x = layer->forward(*backend, x, outputs.back().data(), ForwardContext{});
    }
}
