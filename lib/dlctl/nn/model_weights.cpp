#include "dlctl/nn/model_weights.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>

#include "dlctl/core/error.h"
#include "dlctl/core/strings.h"
#include "dlctl/core/transpose.h"

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
std::vector<std::int64_t> shape_of(std::int64_t rows, std::int64_t cols) {
    if (cols == 1) return {rows};
    return {rows, cols};
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
        if (it->second->shape != shape_of(tensor.rows, tensor.cols)) {
            problems.push_back(fmt::format("'{}' has shape [{}], the model needs [{}]", name,
                                           fmt::join(it->second->shape, ", "),
                                           fmt::join(shape_of(tensor.rows, tensor.cols), ", ")));
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
        transpose(t.values.data(), tensor.rows, tensor.cols, column_major.data());
        backend.upload(column_major.data(), tensor);
    }
}

}  // namespace

std::vector<NamedTensor> export_weights(Backend& backend, const Sequential& model) {
    TensorSnapshot snapshot;
    take_snapshot(backend, model, {}, snapshot);
    std::vector<NamedTensor> out;
    lay_out(snapshot, out);
    return out;
}

void take_snapshot(Backend& backend,
                   const Sequential& model,
                   const std::vector<ParameterShaped>& buffers,
                   TensorSnapshot& out) {
    auto wanted = named(model, {model.parameters(), model.state(), "", ""});
    for (const ParameterShaped& b : buffers) {
        auto more = named(model, b);
        std::move(more.begin(), more.end(), std::back_inserter(wanted));
    }
    out.entries.resize(wanted.size());  // entries already there keep their storage
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        TensorSnapshot::Entry& e = out.entries[i];
        const auto& [name, tensor] = wanted[i];
        e.name = name;
        e.rows = tensor.rows;
        e.cols = tensor.cols;
        e.values.resize(static_cast<std::size_t>(tensor.size()));
        backend.download(tensor, e.values.data());
    }
}

std::vector<TensorSource> file_layout(const TensorSnapshot& snapshot) {
    std::vector<TensorSource> sources;
    sources.reserve(snapshot.entries.size());
    for (const TensorSnapshot::Entry& e : snapshot.entries) {
        TensorSource source{e.name, shape_of(e.rows, e.cols), {}};
        const float* values = e.values.data();
        if (e.rows == 1 || e.cols == 1) {  // the same in either order
            source.rows = [values, row = source.row_length()](std::int64_t first,
                                                              std::int64_t count, float* out) {
                std::copy_n(values + first * row, count * row, out);
            };
        } else {  // file row i is column i of the stored matrix read as a row-major cols × rows
            source.rows = [values, rows = e.rows, cols = e.cols](std::int64_t first,
                                                                 std::int64_t count, float* out) {
                transpose(values + first, rows, cols, count, out, cols);
            };
        }
        sources.push_back(std::move(source));
    }
    return sources;
}

void lay_out(const TensorSnapshot& snapshot, std::vector<NamedTensor>& out) {
    const std::vector<TensorSource> sources = file_layout(snapshot);
    out.resize(sources.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const TensorSource& source = sources[i];
        NamedTensor& t = out[i];
        t.name = source.name;
        t.shape = source.shape;
        t.values.resize(snapshot.entries[i].values.size());
        source.rows(0, source.row_count(), t.values.data());
    }
}

void import_weights(Backend& backend,
                    Sequential& model,
                    const std::vector<NamedTensor>& tensors,
                    const std::filesystem::path& source) {
    upload(backend, named(model, {model.parameters(), model.state(), "", ""}), tensors, "layers.",
           source);
}

void import_parameter_shaped(Backend& backend,
                             const Sequential& model,
                             const ParameterShaped& buffers,
                             const std::vector<NamedTensor>& tensors,
                             const std::filesystem::path& source) {
    upload(backend, named(model, buffers), tensors, "", source);
}

}  // namespace dlctl
