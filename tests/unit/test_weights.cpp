#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>

#include "dlctl/backend/cpu/cpu_backend.h"
#include "dlctl/core/error.h"
#include "dlctl/io/safetensors.h"
#include "dlctl/nn/model_builder.h"
#include "dlctl/nn/model_weights.h"
#include "support/temp_dir.h"

using namespace dlctl;
using Catch::Matchers::Contains;
using dlctl::test::TempDir;

namespace {

std::string io_error(const std::filesystem::path& path) {
    try {
        read_safetensors(path);
    } catch (const IoError& e) {
        return e.what();
    }
    FAIL("the file was accepted");
    return {};
}

std::string with_header(const std::string& json, const std::string& data = "") {
    std::string file(8, '\0');
    const std::uint64_t n = json.size();
    std::memcpy(file.data(), &n, 8);
    return file + json + data;
}

ModelSpec small_model(int hidden) {
    ModelSpec spec;
    LayerSpec dense;
    dense.type = "dense";
    dense.units = hidden;
    dense.activation = "relu";
    dense.init = "he_normal";
    LayerSpec norm;
    norm.type = "batch_norm";
    LayerSpec out = dense;
    out.units = 1;
    out.activation = "sigmoid";
    spec.layers = {dense, norm, out};
    return spec;
}

}  // namespace

TEST_CASE("safetensors files round-trip tensors and metadata", "[io][weights]") {
    TempDir dir;
    const auto path = dir.path() / "w.safetensors";
    write_safetensors(path, {{"a", {2, 3}, {1, 2, 3, 4, 5, 6}}, {"b", {1}, {-0.5f}}},
                      {{"format", "test"}});
    std::map<std::string, std::string> metadata;
    const auto tensors = read_safetensors(path, &metadata);
    REQUIRE(tensors.size() == 2);
    CHECK(tensors[0].name == "a");
    CHECK(tensors[0].shape == std::vector<std::int64_t>{2, 3});
    CHECK(tensors[0].values[5] == 6.0f);
    CHECK(tensors[1].values[0] == -0.5f);
    CHECK(metadata.at("format") == "test");
    std::ifstream in(path, std::ios::binary);
    std::uint64_t header = 0;
    in.read(reinterpret_cast<char*>(&header), 8);
    CHECK(header % 8 == 0);  // data starts 8-byte aligned
}

TEST_CASE("large safetensors files stream through chunks, rows straddling them", "[io][weights]") {
    TempDir dir;
    const auto path = dir.path() / "large.safetensors";
    // 2.8 MB: written direct, in 1 MiB chunks whose ends fall inside rows of 4004 bytes.
    const std::int64_t rows = 700, cols = 1001;
    std::vector<TensorSource> sources = {
        {"big",
         {rows, cols},
         [](std::int64_t first, std::int64_t count, float* out) {
             for (std::int64_t r = first; r < first + count; ++r) {
                 for (std::int64_t c = 0; c < cols; ++c) *out++ = static_cast<float>(r * cols + c);
             }
         }},
        {"scalar", {}, [](std::int64_t, std::int64_t, float* out) { *out = 2.5f; }},
        {"empty", {0, 3}, [](std::int64_t, std::int64_t, float*) { FAIL("no rows to fill"); }}};
    write_safetensors(path, sources, {{"format", "test"}});
    const auto tensors = read_safetensors(path);  // checks the checksum too
    REQUIRE(tensors.size() == 3);
    const auto& big = tensors[0].name == "big" ? tensors[0] : tensors[1];
    REQUIRE(big.values.size() == static_cast<std::size_t>(rows * cols));
    bool all_right = true;
    for (std::size_t i = 0; i < big.values.size(); ++i)
        all_right = all_right && big.values[i] == static_cast<float>(i);
    CHECK(all_right);
    for (const auto& t : tensors) {
        if (t.name == "scalar") CHECK(t.values == std::vector<float>{2.5f});
        if (t.name == "empty") CHECK(t.values.empty());
    }
}

TEST_CASE("corrupt safetensors files are I/O errors naming the problem", "[io][weights]") {
    TempDir dir;
    CHECK_THAT(io_error(dir.path() / "none.safetensors"), Contains("cannot open"));
    CHECK_THAT(io_error(dir.write("short", "abc")), Contains("shorter than its 8-byte header"));
    CHECK_THAT(io_error(dir.write("long", with_header("{}").substr(0, 8) + "{")),
               Contains("header length 2 exceeds the file"));
    CHECK_THAT(io_error(dir.write("json", with_header("{not json"))),
               Contains("header is not valid JSON"));
    CHECK_THAT(io_error(dir.write(
                   "dtype",
                   with_header(R"({"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})", "xx"))),
               Contains("tensor 'a' has dtype F16"));
    CHECK_THAT(io_error(dir.write(
                   "range", with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})",
                                        "1234"))),
               Contains("tensor 'a' has data offsets outside the file"));
    CHECK_THAT(
        io_error(dir.write(
            "huge",
            with_header(
                R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})"))),
        Contains("tensor 'a' is larger than the file"));
    CHECK_THAT(io_error(dir.write("fields", with_header(R"({"a":{"dtype":"F32"}})"))),
               Contains("entry 'a' lacks dtype, shape or data_offsets"));
}

TEST_CASE("a snapshot lays out what export_weights exports and reuses its storage",
          "[nn][weights]") {
    CpuBackend be;
    auto model = build_model(small_model(37), 70);
    Rng rng(1, RngStream::kInit);
    model->build(be, rng);
    std::vector<float> moments(static_cast<std::size_t>(model->parameter_count()));
    for (std::size_t i = 0; i < moments.size(); ++i) moments[i] = 0.25f * static_cast<float>(i);
    const Tensor moment_tensor{moments.data(), model->parameter_count(), 1};
    const std::vector<ParameterShaped> buffers = {{moment_tensor, {}, "optim.", ".m"}};

    TensorSnapshot snapshot;
    std::vector<NamedTensor> laid_out;
    for (int round = 0; round < 2; ++round) {
        const float* storage =
            snapshot.entries.empty() ? nullptr : snapshot.entries[0].values.data();
        take_snapshot(be, *model, buffers, snapshot);
        lay_out(snapshot, laid_out);
        if (round == 1) CHECK(snapshot.entries[0].values.data() == storage);  // not reallocated

        std::vector<NamedTensor> expected = export_weights(be, *model);
        REQUIRE(laid_out.size() == 8 + 6);  // weights and state, then the 6 parameters' moments
        for (std::size_t i = 0; i < expected.size(); ++i) {
            CHECK(laid_out[i].name == expected[i].name);
            CHECK(laid_out[i].shape == expected[i].shape);
            CHECK(laid_out[i].values == expected[i].values);
        }
        CHECK(laid_out[8].name == "optim.layers.0.dense.weight.m");
        CHECK(laid_out[8].shape == std::vector<std::int64_t>{37, 70});
        // Row-major [out, in]: (o, i) of the moments' weight slice is moments[i * 37 + o].
        CHECK(laid_out[8].values[5 * 70 + 3] == moments[3 * 37 + 5]);
        // The file layout's sources give any run of rows, as write_safetensors asks for them.
        const std::vector<TensorSource> sources = file_layout(snapshot);
        std::vector<float> rows_3_to_7(5 * 70);
        sources[8].rows(3, 5, rows_3_to_7.data());
        CHECK(std::equal(rows_3_to_7.begin(), rows_3_to_7.end(),
                         laid_out[8].values.begin() + 3 * 70));

        model->parameters().data[0] += 1.0f;  // the next round must see the change
        moments[3 * 37 + 5] = -1.0f;
    }
}

TEST_CASE("model weights export in PyTorch layout and import back exactly", "[nn][weights]") {
    CpuBackend be;
    auto model = build_model(small_model(4), 3);
    Rng rng(1, RngStream::kInit);
    model->build(be, rng);
    const auto exported = export_weights(be, *model);
    std::vector<std::string> names;
    for (const auto& t : exported) names.push_back(t.name);
    CHECK(names == std::vector<std::string>{
                       "layers.0.dense.weight", "layers.0.dense.bias", "layers.1.batch_norm.weight",
                       "layers.1.batch_norm.bias", "layers.1.batch_norm.running_mean",
                       "layers.1.batch_norm.running_var", "layers.2.dense.weight",
                       "layers.2.dense.bias"});
    CHECK(exported[0].shape == std::vector<std::int64_t>{4, 3});  // [out, in] like torch
    // Row-major [out, in]: element (o, i) of W is column-major data[i * 4 + o].
    CHECK(exported[0].values[1 * 3 + 2] == model->parameters().data[2 * 4 + 1]);
    {
        // Past the 64 × 64 tiles the export transposes in, in neither dimension a multiple of 8.
        auto large = build_model(small_model(37), 70);
        large->build(be, rng);
        const auto tensors = export_weights(be, *large);
        REQUIRE(tensors[0].shape == std::vector<std::int64_t>{37, 70});
        bool same = true;
        for (std::int64_t o = 0; o < 37; ++o) {
            for (std::int64_t i = 0; i < 70; ++i) {
                same =
                    same && tensors[0].values[o * 70 + i] == large->parameters().data[i * 37 + o];
            }
        }
        CHECK(same);
    }

    auto other = build_model(small_model(4), 3);
    Rng other_rng(2, RngStream::kInit);
    other->build(be, other_rng);
    import_weights(be, *other, exported, "test");
    CHECK(std::equal(model->parameters().data, model->parameters().data + model->parameter_count(),
                     other->parameters().data));

    auto wider = build_model(small_model(5), 3);
    wider->build(be, other_rng);
    CHECK_THROWS_WITH(import_weights(be, *wider, exported, "w.safetensors"),
                      Contains("weights in 'w.safetensors' do not fit the model: "
                               "'layers.0.dense.weight' has shape [4, 3], the model needs [5, 3]"));
    auto missing = exported;
    missing.pop_back();
    CHECK_THROWS_WITH(import_weights(be, *other, missing, "m"),
                      Contains("missing 'layers.2.dense.bias'"));
}
