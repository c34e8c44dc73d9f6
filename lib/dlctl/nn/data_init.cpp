#include "dlctl/nn/data_init.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "dlctl/nn/dense.h"

namespace dlctl {

namespace {

constexpr int kKinkRows = 5;

std::vector<float> download(Backend& backend, const Tensor& t) {
    std::vector<float> host(static_cast<std::size_t>(t.size()));
    backend.download(t, host.data());
    return host;
}

/// Population standard deviation of row `unit` of z (units × n, column-major); 1 when 0.
double row_std(const std::vector<float>& z, std::int64_t units, std::int64_t n, std::int64_t unit) {
    double sum = 0.0, squares = 0.0;
    for (std::int64_t c = 0; c < n; ++c) sum += z[c * units + unit];
    const double mean = sum / static_cast<double>(n);
    for (std::int64_t c = 0; c < n; ++c) {
        const double d = z[c * units + unit] - mean;
        squares += d * d;
    }
    const double sd = std::sqrt(squares / static_cast<double>(n));
    return sd > 0.0 ? sd : 1.0;
}

/// Minus a Dirichlet(1, ..., 1) mix of kKinkRows random columns of row `unit` of z.
double kink_bias(
    const std::vector<float>& z, std::int64_t units, std::int64_t n, std::int64_t unit, Rng& rng) {
    double mix = 0.0, total = 0.0;
    for (int k = 0; k < kKinkRows; ++k) {
        const auto column = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(n)));
        const double weight = -std::log1p(-rng.uniform());  // exponential(1)
        mix += weight * z[column * units + unit];
        total += weight;
    }
    return total > 0.0 ? -mix / total : 0.0;
}

void fit_dense(Backend& backend, const Dense& dense, const Tensor& x, Rng& rng) {
    const Tensor w = dense.weight();  // units × inputs
    const std::int64_t units = w.rows, n = x.cols;
    Buffer z_buffer = backend.allocate(units * n);
    const Tensor z_tensor = z_buffer.view(units, n);
    backend.gemm(false, false, 1.0f, w, x, 0.0f, z_tensor);
    const std::vector<float> z = download(backend, z_tensor);
    std::vector<float> weights = download(backend, w);
    std::vector<float> bias(static_cast<std::size_t>(units), 0.0f);
    for (std::int64_t j = 0; j < units; ++j) {
        const double sd = row_std(z, units, n, j);
        for (std::int64_t c = 0; c < w.cols; ++c) {
            weights[c * units + j] = static_cast<float>(weights[c * units + j] / sd);
        }
        bias[j] = static_cast<float>(kink_bias(z, units, n, j, rng) / sd);
    }
    backend.upload(weights.data(), w);
    if (dense.bias().data != nullptr) backend.upload(bias.data(), dense.bias());
}

}  // namespace

void initialize_from_data(Backend& backend,
                          const Sequential& model,
                          const Tensor& sample,
                          Rng& rng) {
    if (sample.cols == 0) return;
    Tensor x = sample;
    std::vector<Buffer> outputs;  // a layer may pass on a view of an earlier output
    for (const auto& layer : model.layers()) {
        if (const auto* dense = dynamic_cast<const Dense*>(layer.get())) {
            fit_dense(backend, *dense, x, rng);
        }
        outputs.push_back(backend.allocate(layer->workspace_floats(x.cols)));
        x = layer->forward(backend, x, outputs.back().data(), ForwardContext{});
    }
}

std::vector<std::int64_t> sample_row_indices(std::int64_t n_rows, std::int64_t max_rows, Rng& rng) {
    // A partial Fisher-Yates shuffle of 0..n_rows-1 that stores only the places it moved, so
    // that a sample of a file larger than memory costs its size, not the file's.
    std::unordered_map<std::int64_t, std::int64_t> moved;
    const auto at = [&](std::int64_t i) {
        const auto it = moved.find(i);
        return it == moved.end() ? i : it->second;
    };
    const std::int64_t count = std::min(n_rows, max_rows);
    std::vector<std::int64_t> rows(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) {
        const std::int64_t pick =
            i + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(n_rows - i)));
        rows[static_cast<std::size_t>(i)] = at(pick);
        moved[pick] = at(i);
    }
    return rows;
}

std::vector<float> sample_rows(const std::vector<float>& features,
                               std::int64_t n_features,
                               std::int64_t n_rows,
                               std::int64_t max_rows,
                               Rng& rng) {
    std::vector<float> out;
    for (const std::int64_t r : sample_row_indices(n_rows, max_rows, rng)) {
        const float* row = features.data() + r * n_features;
        out.insert(out.end(), row, row + n_features);
    }
    return out;
}

}  // namespace dlctl
