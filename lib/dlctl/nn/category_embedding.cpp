#include "dlctl/nn/category_embedding.h"

#include "dlctl/core/error.h"

namespace dlctl {

CategoryEmbedding::CategoryEmbedding(std::int64_t input_size,
                                     std::vector<std::uint32_t> category_rows,
                                     std::vector<std::int64_t> vocabularies,
                                     std::int64_t units)
    : inputs_(input_size),
      categories_(std::move(category_rows)),
      routing_(input_size, categories_),
      units_(units) {
    DLCTL_CHECK(vocabularies.size() == categories_.size());
    std::int64_t columns = 0;
    for (const std::int64_t size : vocabularies) {
        DLCTL_CHECK(size > 0);
        offsets_.push_back(static_cast<std::uint32_t>(columns));
        columns += size;
    }
    weight_size_ = units_ * columns;
}

std::int64_t CategoryEmbedding::output_size() const {
    return units_ * count() + routing_.passed_count();
}

void CategoryEmbedding::bind(float* params, float*) {
    weight_ = {params, units_, weight_size_ / std::max<std::int64_t>(units_, 1)};
}

void CategoryEmbedding::attach(Backend& backend) {
    category_rows_ = upload_rows(backend, categories_);
    table_offsets_ = upload_rows(backend, offsets_);
    routing_.attach(backend, units_ * count());
}

void CategoryEmbedding::initialize(Rng& rng, float* host_params, float*) const {
    for (std::int64_t i = 0; i < weight_size_; ++i) {
        host_params[i] = static_cast<float>(rng.normal());
    }
}

std::vector<std::pair<std::string, Tensor>> CategoryEmbedding::tensors() const {
    return {{"weight", weight_}};
}

std::int64_t CategoryEmbedding::workspace_floats(std::int64_t batch) const {
    return aligned_floats(units_ * count() * batch) + aligned_floats(output_size() * batch);
}

Tensor CategoryEmbedding::forward(Backend& backend,
                                  const Tensor& input,
                                  float* work,
                                  const ForwardContext&) const {
    const Tensor embedded{work, units_ * count(), input.cols};
    const Tensor output{work + aligned_floats(embedded.size()), output_size(), input.cols};
    if (count() > 0) {
        backend.embedding_forward(input, category_rows_.data(), table_offsets_.data(), count(),
                                  weight_, embedded);
    }
    routing_.forward(backend, input, embedded, output);
    return output;
}

void CategoryEmbedding::backward(Backend& backend,
                                 const Tensor& input,
                                 float* work,
                                 Tensor grad_output,
                                 Tensor grad_input,
                                 float* grads) const {
    if (grad_input.data != nullptr) backend.fill(grad_input, 0.0f);  // an index has no gradient
    const Tensor embedded_grad{work, units_ * count(), input.cols};  // forward's, spent
    routing_.backward(backend, grad_output, grad_input, embedded_grad);
    if (count() == 0) return;
    backend.embedding_backward(input, category_rows_.data(), table_offsets_.data(), count(),
                               embedded_grad, {grads, weight_.rows, weight_.cols});
}

}  // namespace dlctl
