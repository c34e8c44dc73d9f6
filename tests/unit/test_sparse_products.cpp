#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/backend/cpu/cpu_sparse_products.h"
#include "dlctl/core/random.h"

using namespace dlctl;

namespace {

/// Column-major values with a leading dimension of rows + 3, so the kernels must honour it.
struct Strided {
    Strided(std::int64_t rows, std::int64_t cols, std::uint64_t seed, double zero_fraction = 0.0)
        : rows(rows), cols(cols), ld(rows + 3), values(static_cast<std::size_t>(ld * cols)) {
        Rng rng(seed, RngStream::kInit);
        for (float& v : values) {
            v = static_cast<float>(rng.normal());
            if (rng.uniform() < zero_fraction) v = 0.0f;
        }
    }
    float& at(std::int64_t r, std::int64_t c) {
        return values[static_cast<std::size_t>(c * ld + r)];
    }
    std::int64_t rows, cols, ld;
    std::vector<float> values;
};

/// alpha · op(A) · op(B) + beta · C in double precision, C's old values from `c`.
double reference(Strided& a,
                 bool transpose_b,
                 Strided& b,
                 Strided& c,
                 float alpha,
                 float beta,
                 std::int64_t i,
                 std::int64_t j) {
    double sum = 0;
    for (std::int64_t p = 0; p < a.cols; ++p) {
        sum += static_cast<double>(a.at(i, p)) * (transpose_b ? b.at(j, p) : b.at(p, j));
    }
    return alpha * sum + (beta == 0.0f ? 0.0 : beta * static_cast<double>(c.at(i, j)));
}

}  // namespace

TEST_CASE("products that skip a sparse operand's zeros equal the dense definition",
          "[backend][sparse]") {
    // Shapes around the kernels' blocks: rows in slices of 64/32/16/8 and a scalar tail, W's
    // columns in blocks of 32, samples in blocks of 32, masks over 256 rows of X.
    std::uint64_t seed = 100;
    for (const std::int64_t rows : {1, 7, 8, 29, 64, 120}) {
        for (const std::int64_t inner : {1, 31, 33, 300}) {
            for (const std::int64_t cols : {1, 5, 32, 70}) {
                for (const float beta : {0.0f, 1.0f, 2.0f}) {
                    INFO("rows " << rows << " inner " << inner << " cols " << cols << " beta "
                                 << beta);
                    // Forward: Z (rows × cols) = alpha · W · X + beta · Z.
                    Strided w(rows, inner, ++seed), x(inner, cols, ++seed, 0.75);
                    Strided z(rows, cols, ++seed), z_before = z;
                    if (beta == 0.0f) {
                        for (float& v : z.values) v = NAN;  // beta = 0 must ignore C
                    }
                    cpu::product_with_sparse_right(rows, cols, inner, 0.5f, w.values.data(), w.ld,
                                                   x.values.data(), x.ld, beta, z.values.data(),
                                                   z.ld);
                    for (std::int64_t i = 0; i < rows; ++i) {
                        for (std::int64_t j = 0; j < cols; ++j) {
                            REQUIRE(z.at(i, j) ==
                                    Approx(reference(w, false, x, z_before, 0.5f, beta, i, j))
                                        .margin(1e-4));
                        }
                    }
                    // Weight gradient: G (rows × inner) = alpha · dZ · Xᵀ + beta · G.
                    Strided dz(rows, cols, ++seed), g(rows, inner, ++seed), g_before = g;
                    if (beta == 0.0f) {
                        for (float& v : g.values) v = NAN;
                    }
                    cpu::product_with_sparse_right_transposed(
                        rows, cols, inner, 0.5f, dz.values.data(), dz.ld, x.values.data(), x.ld,
                        beta, g.values.data(), g.ld);
                    for (std::int64_t i = 0; i < rows; ++i) {
                        for (std::int64_t k = 0; k < inner; ++k) {
                            REQUIRE(g.at(i, k) ==
                                    Approx(reference(dz, true, x, g_before, 0.5f, beta, i, k))
                                        .margin(1e-4));
                        }
                    }
                    if (beta != 0.0f) continue;
                    // Input gradient: dX (inner × cols) = alpha · Wᵀ · dZ where X is nonzero.
                    Strided dx(inner, cols, ++seed);
                    cpu::transposed_product_where_nonzero(
                        rows, cols, inner, 0.5f, w.values.data(), w.ld, dz.values.data(), dz.ld,
                        x.values.data(), x.ld, dx.values.data(), dx.ld);
                    for (std::int64_t k = 0; k < inner; ++k) {
                        for (std::int64_t j = 0; j < cols; ++j) {
                            double sum = 0;
                            for (std::int64_t i = 0; i < rows; ++i) sum += w.at(i, k) * dz.at(i, j);
                            REQUIRE(dx.at(k, j) ==
                                    Approx(x.at(k, j) == 0.0f ? 0.0 : 0.5 * sum).margin(1e-4));
                        }
                    }
                }
            }
        }
    }
}

TEST_CASE("skipping zeros still propagates NaN and infinity in the sparse operand",
          "[backend][sparse]") {
    const std::int64_t rows = 16, inner = 40, cols = 3;
    Strided w(rows, inner, 1), x(inner, cols, 2, 0.9), z(rows, cols, 3);
    x.at(5, 1) = NAN;
    x.at(37, 2) = INFINITY;
    cpu::product_with_sparse_right(rows, cols, inner, 1.0f, w.values.data(), w.ld, x.values.data(),
                                   x.ld, 0.0f, z.values.data(), z.ld);
    for (std::int64_t i = 0; i < rows; ++i) {
        CHECK(std::isnan(z.at(i, 1)));
        CHECK(!std::isfinite(z.at(i, 2)));
    }
}

TEST_CASE("zeros are skipped only in operands at most a third nonzero", "[backend][sparse]") {
    std::vector<float> x(30, 0.0f);
    for (int i = 0; i < 10; ++i) x[static_cast<std::size_t>(3 * i)] = 1.0f;
    CHECK(cpu::worth_skipping_zeros(x.data(), 10, 10, 3));  // exactly a third
    x[1] = -2.0f;
    CHECK_FALSE(cpu::worth_skipping_zeros(x.data(), 10, 10, 3));
    x[1] = NAN;  // NaN is not zero
    CHECK_FALSE(cpu::worth_skipping_zeros(x.data(), 10, 10, 3));
    // The leading dimension is honoured: the 5 rows skipped per column are never read.
    std::vector<float> strided(45, 1.0f);
    for (int j = 0; j < 3; ++j) std::fill_n(strided.begin() + 15 * j, 10, 0.0f);
    CHECK(cpu::worth_skipping_zeros(strided.data(), 15, 10, 3));
}

TEST_CASE(
    "a dense layer's products with a mostly-zero input agree on one and two threads and "
    "with the definition",
    "[backend][sparse]") {
    // The shapes of the seed network's second layer at a small batch, whose products split W's
    // columns between two threads (gemm_by_weight_columns) and skip X's zeros in each part.
    const std::int64_t units = 256, inputs = 512, batch = 20;
    std::vector<std::vector<float>> results;
    Strided w(units, inputs, 7), x(inputs, batch, 8, 0.75), dz(units, batch, 9);
    for (const int threads : {1, 2}) {
        CpuBackend be(threads);
        Buffer xb = be.allocate(inputs * batch), dzb = be.allocate(units * batch);
        Buffer zb = be.allocate(units * batch), gb = be.allocate(units * inputs);
        for (std::int64_t j = 0; j < batch; ++j) {
            std::copy_n(&x.at(0, j), inputs, xb.data() + j * inputs);
            std::copy_n(&dz.at(0, j), units, dzb.data() + j * units);
        }
        Buffer wb = be.allocate(units * inputs);
        for (std::int64_t k = 0; k < inputs; ++k)
            std::copy_n(&w.at(0, k), units, wb.data() + k * units);
        be.gemm(false, false, 1.0f, wb.view(units, inputs), xb.view(inputs, batch), 0.0f,
                zb.view(units, batch));
        be.gemm(false, true, 1.0f, dzb.view(units, batch), xb.view(inputs, batch), 0.0f,
                gb.view(units, inputs));
        Buffer dxb = be.allocate(inputs * batch);
        be.input_gradient_where_nonzero(wb.view(units, inputs), dzb.view(units, batch),
                                        xb.view(inputs, batch), dxb.view(inputs, batch));
        std::vector<float> all(zb.data(), zb.data() + units * batch);
        all.insert(all.end(), gb.data(), gb.data() + units * inputs);
        all.insert(all.end(), dxb.data(), dxb.data() + inputs * batch);
        results.push_back(std::move(all));
    }
    Strided unused_z(units, batch, 0), unused_g(units, inputs, 0);
    for (std::int64_t i = 0; i < units; i += 17) {
        for (std::int64_t j = 0; j < batch; j += 3) {
            CHECK(results[0][static_cast<std::size_t>(j * units + i)] ==
                  Approx(reference(w, false, x, unused_z, 1.0f, 0.0f, i, j)).margin(1e-4));
        }
        for (std::int64_t k = 0; k < inputs; k += 29) {
            CHECK(results[0][static_cast<std::size_t>(units * batch + k * units + i)] ==
                  Approx(reference(dz, true, x, unused_g, 1.0f, 0.0f, i, k)).margin(1e-4));
        }
    }
    const std::size_t dx_at = static_cast<std::size_t>(units * batch + units * inputs);
    for (std::int64_t k = 0; k < inputs; k += 13) {
        for (std::int64_t j = 0; j < batch; ++j) {
            double sum = 0;
            for (std::int64_t i = 0; i < units; ++i) sum += w.at(i, k) * dz.at(i, j);
            CHECK(results[0][dx_at + static_cast<std::size_t>(j * inputs + k)] ==
                  Approx(x.at(k, j) == 0.0f ? 0.0 : sum).margin(1e-4));
        }
    }
    REQUIRE(results[0].size() == results[1].size());
    for (std::size_t i = 0; i < results[0].size(); ++i) {
        INFO("element " << i);
        REQUIRE(results[1][i] == Approx(results[0][i]).margin(1e-4));
    }
}
