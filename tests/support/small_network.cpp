#include "support/small_network.h"

#include "dlctl/config/spec.h"
#include "dlctl/core/random.h"
#include "dlctl/nn/model_builder.h"
#include "dlctl/train/parameter_groups.h"

namespace dlctl::test {

SmallNetwork small_binary_network(std::int64_t inputs, int hidden) {
    ModelSpec spec;
    for (const auto& [units, activation] : {std::pair{hidden, "tanh"}, {1, "sigmoid"}}) {
        LayerSpec l;
        l.type = "dense";
        l.units = units;
        l.activation = activation;
        l.init = "glorot_uniform";
        l.l1 = l.l2 = 0.0;
        spec.layers.push_back(l);
    }
    SmallNetwork out;
    out.backend = make_backend({DeviceKind::kCpu, 0}, 1);
    out.model = build_model(spec, inputs);
    Rng rng(5, RngStream::kInit);
    out.model->build(*out.backend, rng);
    TrainSpec train_spec;
    train_spec.loss = "binary_crossentropy";
    out.loss = make_loss(train_spec, out.model->output_activation());
    OptimizerSpec adam;
    adam.type = "adam";
    adam.lr = 0.01;
    out.optimizer = make_optimizer(adam);
    out.optimizer->set_groups(parameter_groups(spec, *out.model, adam));
    return out;
}

Dataset weighted_binary_rows(std::int64_t rows) {
    Dataset d;
    d.n_features = 3;
    d.n_rows = rows;
    Rng rng(3, RngStream::kInit);
    for (std::int64_t i = 0; i < rows; ++i) {
        float sum = 0.0f;
        for (int f = 0; f < 3; ++f) {
            const auto x = static_cast<float>(rng.uniform() * 2 - 1);
            d.features.push_back(x);
            sum += x;
        }
        d.targets.push_back(sum + 0.3f * static_cast<float>(rng.uniform() - 0.5) > 0 ? 1.0f : 0.0f);
        d.weights.push_back(0.5f + 1.5f * static_cast<float>(rng.uniform()));
    }
    return d;
}

}  // namespace dlctl::test
