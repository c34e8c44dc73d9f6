#include "dlctl/nn/input_routing.h"

#include <numeric>

#include "dlctl/core/error.h"

namespace dlctl {

namespace {

std::vector<std::uint32_t> counting(std::int64_t first, std::int64_t count) {
    std::vector<std::uint32_t> out(static_cast<std::size_t>(count));
    std::iota(out.begin(), out.end(), static_cast<std::uint32_t>(first));
    return out;
}

}  // namespace

std::pair<std::vector<std::uint32_t>, std::vector<bool>> inputs_of_kind(const InputKinds& kinds,
                                                                        std::int64_t width,
                                                                        InputKind::Kind kind) {
    std::vector<std::uint32_t> rows;
    std::vector<bool> keep(static_cast<std::size_t>(width), true);
    for (std::int64_t r = 0; r < width; ++r) {
        const auto i = static_cast<std::size_t>(r);
        const bool match = kinds.empty() ? kind == InputKind::kNumber : kinds[i].kind == kind;
        if (match) {
            rows.push_back(static_cast<std::uint32_t>(r));
            keep[i] = false;
        }
    }
    return {rows, keep};
}

InputKinds kinds_after_embedding(const InputKinds& kinds,
                                 std::int64_t embedded,
                                 const std::vector<bool>& keep) {
    InputKinds out(static_cast<std::size_t>(embedded));
    std::vector<std::int64_t> moved_to(kinds.size(), -1);
    for (std::size_t r = 0; r < keep.size(); ++r) {
        if (!keep[r]) continue;
        moved_to[r] = static_cast<std::int64_t>(out.size());
        out.push_back(kinds[r]);
        if (out.back().kind == InputKind::kBin) {
            out.back().first = moved_to[static_cast<std::size_t>(kinds[r].first)];
        }
    }
    return out;
}

IndexBuffer upload_rows(Backend& backend, const std::vector<std::uint32_t>& rows) {
    IndexBuffer out = backend.allocate_indices(static_cast<std::int64_t>(rows.size()));
    if (!rows.empty()) {
        backend.upload_indices(rows.data(), static_cast<std::int64_t>(rows.size()), out.data());
    }
    return out;
}

InputRouting::InputRouting(std::int64_t inputs, const std::vector<std::uint32_t>& embedded_inputs) {
    std::vector<bool> embedded(static_cast<std::size_t>(inputs), false);
    for (const auto r : embedded_inputs) {
        DLCTL_CHECK(r < inputs && !embedded[r]);
        embedded[r] = true;
    }
    for (std::uint32_t r = 0; r < inputs; ++r) {
        if (!embedded[r]) passed_.push_back(r);
    }
}

void InputRouting::attach(Backend& backend, std::int64_t embedded) {
    embedded_ = embedded;
    passed_rows_ = upload_rows(backend, passed_);
    passed_outputs_ = upload_rows(backend, counting(embedded, passed_count()));
    embedded_rows_ = upload_rows(backend, counting(0, embedded));
}

void InputRouting::forward(Backend& backend,
                           const Tensor& input,
                           const Tensor& embedded,
                           Tensor output) const {
    if (embedded_ > 0) {
        backend.copy_rows(embedded, embedded_rows_.data(), output, embedded_rows_.data(),
                          embedded_);
    }
    backend.copy_rows(input, passed_rows_.data(), output, passed_outputs_.data(), passed_count());
}

void InputRouting::backward(Backend& backend,
                            const Tensor& grad_output,
                            Tensor grad_input,
                            Tensor embedded_grad) const {
    if (grad_input.data != nullptr) {
        backend.copy_rows(grad_output, passed_outputs_.data(), grad_input, passed_rows_.data(),
                          passed_count());
    }
    if (embedded_ > 0) {
        backend.copy_rows(grad_output, embedded_rows_.data(), embedded_grad, embedded_rows_.data(),
                          embedded_);
    }
}

}  // namespace dlctl
