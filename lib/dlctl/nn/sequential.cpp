#include "dlctl/nn/sequential.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "dlctl/core/error.h"

namespace dlctl {

Sequential::Sequential(std::vector<std::unique_ptr<Layer>> layers, Activation output_activation)
    : layers_(std::move(layers)), output_activation_(output_activation) {
    DLCTL_CHECK(!layers_.empty());
    for (std::size_t i = 1; i < layers_.size(); ++i) {
        DLCTL_CHECK(layers_[i]->input_size() == layers_[i - 1]->output_size());
    }
    fuse_dropouts();
    skip_unread_input_gradients();
}

void Sequential::build(Backend& backend, std::int64_t max_batch, Rng& rng) {
    std::int64_t total = 0, total_state = 0;
    for (const auto& layer : layers_) {
        total += layer->parameter_count();
        total_state += layer->state_count();
    }
    params_ = backend.allocate(total);
    state_ = backend.allocate(total_state);
    parameters_ = params_.view(total, 1);
    state_tensor_ = state_.view(total_state, 1);
    bind_and_allocate(backend, max_batch, &rng);
}

std::unique_ptr<Sequential> Sequential::replica(Backend& backend) const {
    DLCTL_CHECK(!mixes_samples() && max_batch_ > 0);
    std::vector<std::unique_ptr<Layer>> layers;
    for (const auto& layer : layers_) layers.push_back(layer->clone());
    auto copy = std::make_unique<Sequential>(std::move(layers), output_activation_);
    copy->parameters_ = parameters_;
    copy->state_tensor_ = state_tensor_;
    copy->bind_and_allocate(backend, max_batch_, nullptr);
    return copy;
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

/// Binds the layers to slices of parameters_, state_tensor_ and new gradients, allocates their
/// buffers, and with `rng` draws and uploads initial parameters and state.
void Sequential::bind_and_allocate(Backend& backend, std::int64_t max_batch, Rng* rng) {
    max_batch_ = max_batch;
    const std::int64_t total = parameters_.size(), total_state = state_tensor_.size();
    grads_ = backend.allocate(total);
    std::vector<float> host(rng != nullptr ? static_cast<std::size_t>(total) : 0, 0.0f);
    std::vector<float> host_state(rng != nullptr ? static_cast<std::size_t>(total_state) : 0, 0.0f);
    std::int64_t offset = 0, state_offset = 0;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        Layer& layer = *layers_[i];
        layer.bind(parameters_.data + offset, grads_.data() + offset,
                   state_tensor_.data + state_offset);
        if (rng != nullptr) {
            layer.initialize(*rng, host.data() + offset, host_state.data() + state_offset);
        }
        offset += layer.parameter_count();
        state_offset += layer.state_count();
        if (!fused_[i]) layer.allocate(backend, max_batch);
        // A layer that took over the dropout after it gets the gradient of the dropout's output.
        const bool grad_unused = i + 1 < layers_.size() && fused_[i + 1];
        layer_grads_.push_back(backend.allocate(grad_unused ? 0 : layer.output_size() * max_batch));
    }
    if (rng != nullptr) {
        backend.upload(host.data(), parameters());
        backend.upload(host_state.data(), state());
    }
    layer_inputs_.resize(layers_.size());
}

/// Lets each dropout layer that the layer before it can apply in its own pass be applied there
/// (a dense relu layer): fused_[i] marks layer i as taken over.
void Sequential::fuse_dropouts() {
    fused_.assign(layers_.size(), false);
    for (std::size_t i = 1; i < layers_.size(); ++i) {
        const std::optional<DropoutFusion> dropout = layers_[i]->fusable_dropout();
        fused_[i] = dropout && !fused_[i - 1] && layers_[i - 1]->fuse_dropout(*dropout);
    }
}

/// Tells each layer whose input comes from a layer that blocks the gradient where its output is
/// zero (relu) that its input gradient is read only where its input is nonzero.
void Sequential::skip_unread_input_gradients() {
    for (std::size_t i = 1; i < layers_.size(); ++i) {
        if (fused_[i]) continue;
        const std::size_t producer = fused_[i - 1] ? i - 2 : i - 1;
        layers_[i]->skip_input_gradient_where_input_is_zero(
            layers_[producer]->blocks_gradient_where_output_is_zero());
    }
}

Tensor Sequential::forward(Backend& backend, const Tensor& input, const ForwardContext& ctx) {
    DLCTL_CHECK(!layer_inputs_.empty() && input.rows == input_size());
    Tensor x = input;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        layer_inputs_[i] = x;
        if (!fused_[i]) x = layers_[i]->forward(backend, x, ctx);
    }
    return x;
}

Tensor Sequential::logits_grad(std::int64_t batch) const {
    return layer_grads_.back().view(output_size(), batch);
}

void Sequential::backward(Backend& backend, const Tensor& input) {
    backpropagate(backend, input, false);
    add_penalty_gradients(backend);
}

void Sequential::backpropagate(Backend& backend, const Tensor& input, bool accumulate) {
    const std::int64_t batch = input.cols;
    for (std::size_t i = layers_.size(); i-- > 0;) {
        if (fused_[i]) continue;
        const std::size_t output = i + 1 < layers_.size() && fused_[i + 1] ? i + 1 : i;
        const Tensor grad_output = layer_grads_[output].view(layers_[i]->output_size(), batch);
        const Tensor grad_input =
            i == 0 ? Tensor{} : layer_grads_[i - 1].view(layers_[i - 1]->output_size(), batch);
        layers_[i]->backward(backend, layer_inputs_[i], grad_output, grad_input, accumulate);
    }
}

void Sequential::add_penalty_gradients(Backend& backend) {
    for (const auto& layer : layers_) layer->add_penalty_gradient(backend);
}

std::int64_t Sequential::activation_floats_per_sample() const {
    std::int64_t floats = 0;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
        if (!fused_[i]) floats += layers_[i]->output_size();
    }
    return floats;
}

bool Sequential::mixes_samples() const {
    return std::any_of(layers_.begin(), layers_.end(),
                       [](const auto& layer) { return layer->mixes_samples(); });
}

}  // namespace dlctl
