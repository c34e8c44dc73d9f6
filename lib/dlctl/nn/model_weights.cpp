#include "dlctl/nn/model_weights.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"

namespace dlctl {

namespace {

/// Every tensor of the model with its file name, in layer order, as the matching slice of
/// `buffers` (a tensor lies in the model's parameters or in its state; slices of an empty
/// buffer are left out).
std::vector<std::pair<std::string, Tensor>> named(const Sequential& model,
                                                  const ParameterShaped& buffers) {
    const Tensor params = model.parameters();
    const Tensor state = model.state();
    auto inside = [](const Tensor& t, const Tensor& whole) {
        return whole.data != nullptr && t.data >= whole.data &&
               t.data + t.size() <= whole.data + whole.size();
    };
    std::vector<std::pair<std::string, Tensor>> out;
    const auto& layers = model.layers();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        for (const auto& [name, tensor] : layers[i]->tensors()) {
            const std::string full = fmt::format("{}layers.{}.{}.{}{}", buffers.prefix, i,
                                                 layers[i]->type(), name, buffers.suffix);
            float* base = nullptr;
            if (inside(tensor, params) && buffers.params.data != nullptr) {
                base = buffers.params.data + (tensor.data - params.data);
            } else if (inside(tensor, state) && buffers.state.data != nullptr) {
                base = buffers.state.data + (tensor.data - state.data);
            }
            if (base != nullptr) out.emplace_back(full, Tensor{base, tensor.rows, tensor.cols});
        }
    }
    return out;
}

/// Row-major [rows, cols] shape of a column-major tensor ([rows] for a vector).
std::vector<std::int64_t> shape_of(const Tensor& t) {
    if (t.cols == 1) return {t.rows};
    return {t.rows, t.cols};
}

/// row_major[r, c] = column_major[r, c] for a rows × cols matrix, in tiles that stay in L1
/// (checkpoints transpose every weight matrix at the end of each epoch, on the training thread).
void transpose_to_row_major(const float* column_major,
                            std::int64_t rows,
                            std::int64_t cols,
                            float* row_major) {
    constexpr std::int64_t kTile = 32;
    for (std::int64_t r0 = 0; r0 < rows; r0 += kTile) {
        for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
            const std::int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
            for (std::int64_t r = r0; r < r1; ++r) {
                for (std::int64_t c = c0; c < c1; ++c) {
                    row_major[r * cols + c] = column_major[c * rows + r];
                }
            }
        }
    }
}

std::vector<NamedTensor> download(Backend& backend,
                                  const std::vector<std::pair<std::string, Tensor>>& wanted) {
    std::vector<NamedTensor> out;
    std::vector<float> column_major;
    for (const auto& [name, tensor] : wanted) {
        NamedTensor t{name, shape_of(tensor), std::vector<float>(tensor.size())};
        if (tensor.rows == 1 || tensor.cols == 1) {  // the same in either order
            backend.download(tensor, t.values.data());
        } else {
            column_major.resize(t.values.size());
            backend.download(tensor, column_major.data());
            transpose_to_row_major(column_major.data(), tensor.rows, tensor.cols, t.values.data());
        }
        out.push_back(std::move(t));
    }
    return out;
}

/// Uploads the tensors `wanted` names from `tensors`, after checking that each is present with
/// its shape; `unexpected_prefix` non-empty: tensors with that prefix that nothing wants are an
/// error too.
void upload(Backend& backend,
            const std::vector<std::pair<std::string, Tensor>>& wanted,
            const std::vector<NamedTensor>& tensors,
            const std::string& unexpected_prefix,
            const std::filesystem::path& source) {
    std::map<std::string, const NamedTensor*> available;
    for (const NamedTensor& t : tensors) available[t.name] = &t;
    auto by_name = available;  // what is left over is unexpected
    std::vector<std::string> problems;
    for (const auto& [name, tensor] : wanted) {
        const auto it = by_name.find(name);
        if (it == by_name.end()) {
            problems.push_back("missing '" + name + "'");
            continue;
        }
        if (it->second->shape != shape_of(tensor)) {
            problems.push_back(fmt::format("'{}' has shape [{}], the model needs [{}]", name,
                                           fmt::join(it->second->shape, ", "),
                                           fmt::join(shape_of(tensor), ", ")));
        }
        by_name.erase(it);
    }
    if (!unexpected_prefix.empty()) {
        for (const auto& [name, t] : by_name) {
            if (name.starts_with(unexpected_prefix))
                problems.push_back("unexpected '" + name + "'");
        }
    }
    if (!problems.empty()) {
        std::string list;
        for (const auto& p : problems) list += (list.empty() ? "" : "; ") + p;
        throw IoError("weights in '" + source.string() + "' do not fit the model: " + list,
                      "the file must come from a model with the same layers");
    }
    for (const auto& [name, tensor] : wanted) {
        const NamedTensor& t = *available.at(name);
        std::vector<float> column_major(t.values.size());
        for (std::int64_t r = 0; r < tensor.rows; ++r) {
            for (std::int64_t c = 0; c < tensor.cols; ++c) {
                column_major[c * tensor.rows + r] = t.values[r * tensor.cols + c];
            }
        }
        backend.upload(column_major.data(), tensor);
    }
}

}  // namespace

std::vector<NamedTensor> export_weights(Backend& backend, const Sequential& model) {
    return download(backend, named(model, {model.parameters(), model.state(), "", ""}));
}

void import_weights(Backend& backend,
                    Sequential& model,
                    const std::vector<NamedTensor>& tensors,
                    const std::filesystem::path& source) {
    upload(backend, named(model, {model.parameters(), model.state(), "", ""}), tensors, "layers.",
           source);
}

std::vector<NamedTensor> export_parameter_shaped(Backend& backend,
                                                 const Sequential& model,
                                                 const ParameterShaped& buffers) {
    return download(backend, named(model, buffers));
}

void import_parameter_shaped(Backend& backend,
                             const Sequential& model,
                             const ParameterShaped& buffers,
                             const std::vector<NamedTensor>& tensors,
                             const std::filesystem::path& source) {
    upload(backend, named(model, buffers), tensors, "", source);
}

}  // namespace dlctl
