#include "dlctl/backend/cpu/cpu_program.h"

#include "dlctl/core/error.h"
#include "dlctl/nn/activation_layer.h"
#include "dlctl/nn/dense.h"
#include "dlctl/nn/dropout.h"
#include "dlctl/nn/sequential.h"

namespace dlctl {

namespace {

bool is_relu_dense(const Layer& layer) {
    const auto* dense = dynamic_cast<const Dense*>(&layer);
    return dense != nullptr && dense->activation() == Activation::kRelu;
}

/// Whether a layer passes no gradient where its output is zero, whatever reaches it there.
bool blocks_gradient_where_output_is_zero(const Layer& layer) {
    const auto* activation = dynamic_cast<const ActivationLayer*>(&layer);
    return is_relu_dense(layer) ||
           (activation != nullptr && activation->activation() == Activation::kRelu);
}

}  // namespace

CpuProgram::CpuProgram(const Sequential& model) : parameter_count_(model.parameter_count()) {
    const auto& layers = model.layers();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        Op op;
        op.layer = layers[i].get();
        op.dense = dynamic_cast<const Dense*>(op.layer);
        op.parameter_offset = model.parameter_offset(i);
        op.columns_per_sample = model.columns_per_sample(i);
        const auto* next =
            i + 1 < layers.size() ? dynamic_cast<const Dropout*>(layers[i + 1].get()) : nullptr;
        if (is_relu_dense(*op.layer) && next != nullptr && next->configured_rate() > 0.0f) {
            op.dropout = next;
            ++i;
        }
        op.sparse_input_gradient = op.dense != nullptr && !ops_.empty() &&
                                   blocks_gradient_where_output_is_zero(*ops_.back().layer);
        ops_.push_back(op);
    }
}

Workspace CpuProgram::make_workspace(CpuBackend& backend, std::int64_t max_batch) const {
    std::vector<Workspace::Link> links;
    for (const Op& op : ops_) {
        links.push_back({op.layer->workspace_floats(max_batch * op.columns_per_sample),
                         op.layer->output_size(),
                         op.columns_per_sample * op.layer->column_factor()});
    }
    return Workspace(backend, links, max_batch, true, parameter_count_);
}

std::int64_t CpuProgram::activation_floats_per_sample() const {
    std::int64_t floats = 0;
    for (const Op& op : ops_) {
        floats += op.layer->output_size() * op.columns_per_sample * op.layer->column_factor();
    }
    return floats;
}

Tensor CpuProgram::forward(CpuBackend& backend,
                           Workspace& work,
                           const Tensor& input,
                           const ForwardContext& ctx) const {
    DLCTL_CHECK(input.cols <= work.max_batch());
    Tensor x = input;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
        const Op& op = ops_[i];
        work.inputs()[i] = x;
        const ForwardContext op_ctx = ctx.for_columns(op.columns_per_sample);
        x = op.dense != nullptr ? dense_forward(backend, op, x, work.work(i), op_ctx)
                                : op.layer->forward(backend, x, work.work(i), op_ctx);
    }
    return x;
}

Tensor CpuProgram::logits_grad(const Workspace& work, std::int64_t batch) const {
    return work.output_gradient(ops_.size() - 1, batch);
}

void CpuProgram::backward(CpuBackend& backend, Workspace& work, bool first_pass) const {
    const std::int64_t batch = work.inputs()[0].cols;
    float* gradients = work.gradients().data;
    for (std::size_t i = ops_.size(); i-- > 0;) {
        const Op& op = ops_[i];
        const Tensor grad_input = i == 0 ? Tensor{} : work.output_gradient(i - 1, batch);
        float* grads = gradients + op.parameter_offset;
        if (op.dense != nullptr) {
            dense_backward(backend, op, work.inputs()[i], work.work(i),
                           work.output_gradient(i, batch), grad_input, grads, first_pass);
            continue;
        }
        // Layers add to their gradients.
        const std::int64_t count = op.layer->parameter_count();
        if (first_pass && count > 0) backend.fill({grads, count, 1}, 0.0f);
        op.layer->backward(backend, work.inputs()[i], work.work(i), work.output_gradient(i, batch),
                           grad_input, grads);
    }
}

Tensor CpuProgram::dense_forward(CpuBackend& backend,
                                 const Op& op,
                                 const Tensor& input,
                                 float* work,
                                 const ForwardContext& ctx) const {
    const Dense& dense = *op.dense;
    const Tensor a = dense.output(work, input.cols), z = dense.pre_activation(work, input.cols);
    backend.gemm(false, false, 1.0f, dense.weight(), input, 0.0f, z);
    if (op.dropout != nullptr && ctx.mode == Mode::kTrain) {
        backend.bias_relu_dropout_forward(op.dropout->rate(), ctx.seed, op.dropout->stream(),
                                          ctx.random_counter(a.rows), dense.bias(), a);
    } else {
        backend.bias_activation_forward(dense.activation(), dense.bias(), z, a);
    }
    return a;
}

void CpuProgram::dense_backward(CpuBackend& backend,
                                const Op& op,
                                const Tensor& input,
                                float* work,
                                Tensor grad_output,
                                Tensor grad_input,
                                float* grads,
                                bool first_pass) const {
    const Dense& dense = *op.dense;
    const Tensor a = dense.output(work, input.cols), z = dense.pre_activation(work, input.cols);
    const bool accumulate = !first_pass;
    // grad_output becomes dL/dz; the bias gradient is its sum over the batch.
    if (op.dropout != nullptr) {
        backend.relu_dropout_bias_backward(op.dropout->rate(), a, grad_output, grad_output,
                                           dense.bias_gradient(grads), accumulate);
    } else {
        backend.activation_bias_backward(dense.activation(), z, a, grad_output, grad_output,
                                         dense.bias_gradient(grads), accumulate);
    }
    backend.gemm(false, true, 1.0f, grad_output, input, accumulate ? 1.0f : 0.0f,
                 dense.weight_gradient(grads));
    if (grad_input.data == nullptr) return;
    if (op.sparse_input_gradient) {
        backend.input_gradient_where_nonzero(dense.weight(), grad_output, input, grad_input);
    } else {
        backend.gemm(true, false, 1.0f, dense.weight(), grad_output, 0.0f, grad_input);
    }
}

}  // namespace dlctl
