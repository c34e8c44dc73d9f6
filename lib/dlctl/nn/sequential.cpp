#include "dlctl/nn/sequential.h"

#include <algorithm>
#include <vector>

#include "dlctl/core/error.h"
#include "dlctl/nn/dropout.h"

namespace dlctl {

Sequential::Sequential(std::vector<std::unique_ptr<Layer>> layers, Activation output_activation)
    : layers_(std::move(layers)), output_activation_(output_activation) {
    DLCTL_CHECK(!layers_.empty());
    offsets_.push_back(0);
    columns_in_.push_back(1);
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        DLCTL_CHECK(i == 0 || layers_[i]->input_size() == layers_[i - 1]->output_size());
        offsets_.push_back(offsets_.back() + layers_[i]->parameter_count());
        columns_in_.push_back(columns_in_.back() * layers_[i]->column_factor());
    }
}

void Sequential::build(Backend& backend, Rng& rng) {
    build_for_import(backend);
    std::vector<float> host(static_cast<std::size_t>(parameter_count()), 0.0f);
    std::vector<float> host_state(static_cast<std::size_t>(state_tensor_.rows), 0.0f);
    std::int64_t state_offset = 0;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        const Layer& layer = *layers_[i];
        layer.initialize(rng, host.data() + offsets_[i], host_state.data() + state_offset);
        state_offset += layer.state_count();
    }
    backend.upload(host.data(), parameters_);
    backend.upload(host_state.data(), state_tensor_);
}

void Sequential::build_for_import(Backend& backend) {
    std::int64_t total_state = 0;
    for (const auto& layer : layers_) total_state += layer->state_count();
    params_ = backend.allocate(parameter_count());
    state_ = backend.allocate(total_state);
    parameters_ = params_.view(parameter_count(), 1);
    state_tensor_ = state_.view(total_state, 1);
    std::int64_t state_offset = 0;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        Layer& layer = *layers_[i];
        layer.bind(parameters_.data + offsets_[i], state_tensor_.data + state_offset);
        layer.attach(backend);
        state_offset += layer.state_count();
    }
}

Workspace Sequential::make_workspace(Backend& backend,
                                     std::int64_t max_batch,
                                     bool training) const {
    std::vector<Workspace::Link> links;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        links.push_back({layers_[i]->workspace_floats(max_batch * columns_in_[i]),
                         layers_[i]->output_size(), columns_in_[i + 1]});
    }
    return Workspace(backend, links, max_batch, training, parameter_count());
}

std::vector<Tensor> Sequential::parameter_tensors() const {
    std::vector<Tensor> out;
    for (const auto& layer : layers_) {
        for (const auto& named : layer->tensors()) {
            const Tensor& t = named.second;
            if (t.data >= parameters_.data &&
                t.data + t.size() <= parameters_.data + parameter_count()) {
                out.push_back(t);
            }
        }
    }
    std::sort(out.begin(), out.end(),
              [](const Tensor& a, const Tensor& b) { return a.data < b.data; });
    return out;
}

Tensor Sequential::forward(Backend& backend,
                           Workspace& work,
                           const Tensor& input,
                           const ForwardContext& ctx) const {
    DLCTL_CHECK(input.rows == input_size() && input.cols <= work.max_batch());
    Tensor x = input;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        work.inputs()[i] = x;
        x = layers_[i]->forward(backend, x, work.work(i), ctx.for_columns(columns_in_[i]));
    }
    return x;
}

void Sequential::predict(Backend& backend,
                         const Tensor& logits,
                         float* scratch,
                         Tensor predictions) const {
    if (members() == 1) {
        backend.activation(output_activation_, logits, predictions);
        return;
    }
    const Tensor each{scratch, logits.rows, logits.cols};
    backend.activation(output_activation_, logits, each);
    backend.sum_column_groups(each, 1.0f / static_cast<float>(members()), predictions);
}

std::int64_t Sequential::prediction_scratch_floats(std::int64_t samples) const {
    return members() == 1 ? 0 : output_size() * members() * samples;
}

Tensor Sequential::logits_grad(const Workspace& work, std::int64_t batch) const {
    return work.output_gradient(layers_.size() - 1, batch);
}

void Sequential::backward(Backend& backend, Workspace& work) const {
    const std::int64_t batch = work.inputs()[0].cols;
    float* grads = work.gradients().data;
    for (std::size_t i = layers_.size(); i-- > 0;) {
        const Tensor grad_input = i == 0 ? Tensor{} : work.output_gradient(i - 1, batch);
        layers_[i]->backward(backend, work.inputs()[i], work.work(i),
                             work.output_gradient(i, batch), grad_input, grads + offsets_[i]);
    }
}

void Sequential::add_penalty_gradients(Backend& backend, const Tensor& gradients) const {
    DLCTL_CHECK(gradients.size() == parameter_count());
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        layers_[i]->add_penalty_gradient(backend, gradients.data + offsets_[i]);
    }
}

bool Sequential::mixes_samples() const {
    return std::any_of(layers_.begin(), layers_.end(),
                       [](const auto& layer) { return layer->mixes_samples(); });
}

void Sequential::set_dropout_factor(float factor) {
    for (auto& layer : layers_) {
        if (auto* dropout = dynamic_cast<Dropout*>(layer.get())) dropout->set_rate_factor(factor);
    }
}

}  // namespace dlctl
