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

}  // namespace dlctl::test
