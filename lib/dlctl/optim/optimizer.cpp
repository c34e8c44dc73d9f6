#include "dlctl/optim/optimizer.h"

#include <utility>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

OptimizerStep::Kind kind_of(const std::string& type) {
    if (type == "sgd") return OptimizerStep::Kind::kSgd;
    if (type == "adam" || type == "adamw") return OptimizerStep::Kind::kAdam;
    if (type == "rmsprop") return OptimizerStep::Kind::kRmsprop;
    if (type == "adagrad") return OptimizerStep::Kind::kAdagrad;
    throw UsageError("unknown optimizer '" + type + "'",
                     "supported: 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'");
}

}  // namespace

Optimizer::Optimizer(const OptimizerSpec& spec) : spec_(spec), lr_(spec.lr) {
    step_.kind = kind_of(spec.type);
    step_.weight_decay = static_cast<float>(spec.weight_decay);
    step_.decoupled_weight_decay = spec.type == "adamw";
    step_.momentum = static_cast<float>(spec.momentum);
    step_.dampening = static_cast<float>(spec.dampening);
    step_.nesterov = spec.nesterov;
    step_.beta1 = static_cast<float>(spec.beta1);
    step_.beta2 = static_cast<float>(spec.beta2);
    step_.eps = static_cast<float>(spec.eps);
    step_.alpha = static_cast<float>(spec.alpha);
    step_.centered = spec.centered;
    step_.lr_decay = static_cast<float>(spec.lr_decay);
}

void Optimizer::allocate(Backend& backend, std::int64_t n) {
    if (groups_.empty()) groups_.push_back({0, n, 1.0, 1.0});
    using Kind = OptimizerStep::Kind;
    const bool sgd_momentum = step_.kind == Kind::kSgd && step_.momentum != 0.0f;
    if (sgd_momentum || step_.kind != Kind::kSgd) state_[0] = backend.allocate(n);
    if (step_.kind == Kind::kAdam || (step_.kind == Kind::kRmsprop && step_.momentum > 0.0f)) {
        state_[1] = backend.allocate(n);
    }
    if (step_.kind == Kind::kRmsprop && step_.centered) state_[2] = backend.allocate(n);
    if (step_.kind == Kind::kAdagrad && spec_.initial_accumulator_value != 0.0) {
        backend.fill(state_[0].view(n, 1), static_cast<float>(spec_.initial_accumulator_value));
    }
}

void Optimizer::set_groups(std::vector<ParameterGroup> groups) {
    std::int64_t next = 0;
    for (const ParameterGroup& g : groups) {
        DLCTL_CHECK(g.offset == next && g.count > 0);
        next += g.count;
    }
    groups_ = std::move(groups);
}

void Optimizer::step(Backend& backend, Tensor params, const Tensor& grads) {
    DLCTL_CHECK(!groups_.empty() && groups_.back().offset + groups_.back().count == params.size());
    auto slice = [](float* base, const ParameterGroup& g) {
        return base == nullptr ? Tensor{} : Tensor{base + g.offset, g.count, 1};
    };
    for (const ParameterGroup& g : groups_) {
        step_.lr = static_cast<float>(lr_ * g.lr_factor);
        step_.weight_decay =
            static_cast<float>(spec_.weight_decay * weight_decay_factor_ * g.decay_factor);
        backend.optimizer_update(step_, slice(params.data, g), slice(grads.data, g),
                                 slice(state_[0].data(), g), slice(state_[1].data(), g),
                                 slice(state_[2].data(), g));
    }
    ++step_.step;
}

std::vector<std::pair<std::string, Tensor>> Optimizer::slots() const {
    using Kind = OptimizerStep::Kind;
    const char* names[3] = {};
    switch (step_.kind) {
        case Kind::kSgd:
            names[0] = "momentum_buffer";
            break;
        case Kind::kAdam:
            names[0] = "exp_avg", names[1] = "exp_avg_sq";
            break;
        case Kind::kRmsprop:
            names[0] = "square_avg", names[1] = "momentum_buffer", names[2] = "grad_avg";
            break;
        case Kind::kAdagrad:
            names[0] = "sum";
            break;
    }
    std::vector<std::pair<std::string, Tensor>> out;
    for (int i = 0; i < 3; ++i) {
        if (state_[i].data() != nullptr) {
            out.emplace_back(names[i], state_[i].view(state_[i].size(), 1));
        }
    }
    return out;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec) {
    return std::make_unique<Optimizer>(spec);
}

}  // namespace dlctl
