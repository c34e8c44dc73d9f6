#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "dlctl/checkpoint/checkpoint.h"
#include "dlctl/checkpoint/ensemble_manifest.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/core/crc32.h"
#include "dlctl/core/error.h"
#include "dlctl/data/csv_reader.h"
#include "dlctl/io/metrics_csv.h"
#include "support/temp_dir.h"

using namespace dlctl;
using Catch::Matchers::Contains;
using dlctl::test::read_text;
using dlctl::test::TempDir;
namespace fs = std::filesystem;

namespace {

Checkpoint small_checkpoint() {
    Checkpoint c;
    c.dlctl_version = "test";
    c.spec = load_spec_from_string(
        "data: {path: d.csv, target: y}\n"
        "model: {layers: [{type: dense, units: 1, activation: sigmoid}]}\n"
        "train: {loss: binary_crossentropy}\n",
        "spec.yaml", "/");
    c.spec_yaml = to_yaml(c.spec);
    const Table table = read_csv_text("t.csv", "a,b,y\n1,10,0\n3,30,1\n");
    c.preprocessor.fit(table, {0, 1}, {0, 1}, "standard");
    c.task = {"binary", 1, "y", {"0", "1"}, 0.0, 1.0};
    c.data = {"/d.csv", 2, 1234};
    c.state.epoch = 3;
    c.state.global_step = 12;
    c.state.optimizer_step = 13;
    c.state.early_stopping = {std::numeric_limits<double>::infinity(), 0, 0};
    c.state.checkpoint_best = {0.25, 2, 1};
    c.state.schedule = {0.01, 0.5, 1, 0};
    c.best_monitor = "val_loss";
    c.history = HistoryDigest::of({"epoch", "loss"}, {{"1", "0.5"}, {"2", "0.25"}, {"3", "0.3"}});
    c.tensors = {{"layers.0.dense.weight", {1, 2}, {0.5f, -1.5f}},
                 {"layers.0.dense.bias", {1}, {0.25f}},
                 {"optim.layers.0.dense.weight.exp_avg", {1, 2}, {1e-3f, 2e-3f}}};
    return c;
}

}  // namespace

TEST_CASE("crc32 is zlib's", "[checkpoint]") {
    CHECK(crc32("123456789") == 0xCBF43926u);
    CHECK(crc32("") == 0u);
    CHECK(crc32("6789", crc32("12345")) == 0xCBF43926u);  // incremental
    // Long inputs against a bytewise reference.
    std::string long_text;
    for (int i = 0; i < 1000; ++i) long_text += static_cast<char>(i * 7919 % 251);
    std::uint32_t reference = ~0u;
    for (const char c : long_text) {
        reference ^= static_cast<std::uint8_t>(c);
        for (int bit = 0; bit < 8; ++bit)
            reference = (reference & 1u) ? 0xEDB88320u ^ (reference >> 1) : reference >> 1;
    }
    // Every length up to 300, from every start within a word, whole and continued.
    for (std::size_t start = 0; start < 8; ++start) {
        for (std::size_t n = 0; n <= 300; ++n) {
            std::uint32_t r = ~0u;
            for (std::size_t i = 0; i < n; ++i) {
                r ^= static_cast<std::uint8_t>(long_text[start + i]);
                for (int bit = 0; bit < 8; ++bit) r = (r & 1u) ? 0xEDB88320u ^ (r >> 1) : r >> 1;
            }
            const std::string_view piece = std::string_view(long_text).substr(start, n);
            CHECK(crc32(piece) == ~r);
            CHECK(crc32(piece.substr(n / 3), crc32(piece.substr(0, n / 3))) == ~r);
        }
    }
    CHECK(crc32(long_text) == ~reference);
}

TEST_CASE("a history digest is the crc32 of metrics.csv's text, row by row", "[checkpoint]") {
    HistoryDigest d = HistoryDigest::of({"epoch", "loss"}, {});
    CHECK(d.crc32 == crc32("epoch,loss\n"));
    CHECK(d.rows == 0u);
    d.add({"1", "0.5"});
    d.add({"2", ""});
    CHECK(d.crc32 == crc32("epoch,loss\n1,0.5\n2,\n"));
    CHECK(d.rows == 2u);
    CHECK(d.last == std::vector<std::string>{"2", ""});
    CHECK(HistoryDigest::of({"epoch", "loss"}, {{"1", "0.5"}, {"2", ""}}).crc32 == d.crc32);
}

TEST_CASE("a checkpoint reads back exactly what was written", "[checkpoint]") {
    TempDir dir;
    const Checkpoint c = small_checkpoint();
    write_checkpoint(dir.path() / "c.safetensors", c);
    const Checkpoint r = read_checkpoint(dir.path() / "c.safetensors");
    CHECK(r.spec_yaml == c.spec_yaml);
    CHECK(r.spec.data.target == "y");
    CHECK(r.preprocessor.feature_names() == std::vector<std::string>{"a", "b"});
    CHECK(r.preprocessor.offsets() == c.preprocessor.offsets());
    CHECK(r.preprocessor.scales() == c.preprocessor.scales());
    CHECK(r.task.labels == c.task.labels);
    CHECK(r.data.crc32 == 1234u);
    CHECK(r.state.epoch == 3);
    CHECK(r.state.global_step == 12u);
    CHECK(r.state.optimizer_step == 13);
    CHECK(std::isinf(r.state.early_stopping.best));
    CHECK(r.state.checkpoint_best.best == 0.25);
    CHECK(r.state.schedule.plateau_lr == 0.01);
    CHECK(r.best_monitor == "val_loss");
    CHECK(r.history.columns == c.history.columns);
    CHECK(r.history.rows == 3u);
    CHECK(r.history.last == std::vector<std::string>{"3", "0.3"});
    CHECK(r.history.crc32 == c.history.crc32);
    REQUIRE(r.tensors.size() == 3);
    for (const auto& t : r.tensors) {
        bool found = false;
        for (const auto& w : c.tensors) {
            if (w.name == t.name) {
                found = true;
                CHECK(w.shape == t.shape);
                CHECK(w.values == t.values);
            }
        }
        CHECK(found);
    }
}

TEST_CASE("invalid checkpoint metadata is an I/O error naming the key", "[checkpoint]") {
    Checkpoint c = small_checkpoint();
    c.task.labels = {"only one"};
    TempDir dir;
    write_checkpoint(dir.path() / "c.safetensors", c);
    CHECK_THROWS_WITH(read_checkpoint(dir.path() / "c.safetensors"),
                      Contains("invalid checkpoint metadata 'task'"));
    CHECK_THROWS_AS(parse_checkpoint("x", "not a checkpoint at all"), IoError);
}

TEST_CASE("a calibrated checkpoint keeps its temperature, and files without one read as before",
          "[checkpoint][calibration]") {
    TempDir dir;
    Checkpoint c = small_checkpoint();
    write_checkpoint(dir.path() / "plain.safetensors", c);
    CHECK_FALSE(read_checkpoint(dir.path() / "plain.safetensors").calibration);
    CHECK_THAT(read_text(dir.path() / "plain.safetensors"), !Contains("calibration"));
    c.calibration = Calibration{1.75, "val.csv", 40, 0.5, 0.4, 0.2, 0.05};
    write_checkpoint(dir.path() / "c.safetensors", c);
    const Checkpoint r = read_checkpoint(dir.path() / "c.safetensors");
    REQUIRE(r.calibration);
    CHECK(r.calibration->temperature == 1.75);
    CHECK(r.calibration->data == "val.csv");
    CHECK(r.calibration->rows == 40u);
    CHECK(r.calibration->nll_after == 0.4);
    CHECK(r.calibration->ece_before == 0.2);
    c.calibration->temperature = 0.0;
    write_checkpoint(dir.path() / "bad.safetensors", c);
    CHECK_THROWS_WITH(
        read_checkpoint(dir.path() / "bad.safetensors"),
        Contains("invalid checkpoint metadata 'calibration'") && Contains("temperature"));
}

TEST_CASE("the preprocessor's JSON restores the same transform", "[checkpoint]") {
    const Table table = read_csv_text("t.csv", "a,b\n1,5\n2,5\n4,5\n");
    Preprocessor fitted;
    fitted.fit(table, {0, 1}, {0, 1, 2}, "minmax");
    const Preprocessor restored = Preprocessor::from_json(fitted.to_json());
    std::vector<float> a, b;
    fitted.transform(table, {0, 1}, {0, 1, 2}, a);
    restored.transform(table, {0, 1}, {0, 1, 2}, b);
    CHECK(a == b);
    CHECK(b[3] == 0.0f);  // the constant column maps to 0
    CHECK_THROWS_AS(Preprocessor::from_json("{\"normalize\": 1}"), std::invalid_argument);
    for (const char* method : {"quantile", "smooth_clip"}) {
        INFO(method);
        Preprocessor mapped;
        mapped.fit(table, {0, 1}, {0, 1, 2}, method);
        std::vector<float> c, d;
        mapped.transform(table, {0, 1}, {0, 1, 2}, c);
        Preprocessor::from_json(mapped.to_json()).transform(table, {0, 1}, {0, 1, 2}, d);
        CHECK(c == d);
        CHECK(d[3] == 0.0f);  // a constant column maps to 0 here too
    }
}

TEST_CASE("a resumed metrics.csv starts with the earlier rows", "[checkpoint][io]") {
    TempDir dir;
    const fs::path file = dir.path() / "metrics.csv";
    {
        MetricsCsvWriter w(file, {"epoch", "loss"}, {{"1", "0.5"}});
        w.write_row({"2", "0.4"});
    }
    CHECK(read_text(file) == "epoch,loss\n1,0.5\n2,0.4\n");
    {
        MetricsCsvWriter w(file, {"epoch", "loss"}, {{"1", "0.5"}}, true);  // in place
        w.write_row({"2", "0.3"});
    }
    CHECK(read_text(file) == "epoch,loss\n1,0.5\n2,0.3\n");
}

TEST_CASE("an ensemble file names its members relative to itself and is checked when read",
          "[checkpoint][cv]") {
    TempDir dir;
    const fs::path file = dir.path() / "run/checkpoints/ensemble.json";
    fs::create_directories(file.parent_path());
    write_ensemble_manifest(file, {{dir.path() / "run/folds/fold-1/checkpoints/best.safetensors",
                                    dir.path() / "run/folds/fold-2/checkpoints/last.safetensors"},
                                   "cross-validation"});
    CHECK_THAT(read_text(file), Contains("\"../folds/fold-1/checkpoints/best.safetensors\""));
    const EnsembleManifest read = read_ensemble_manifest(file);
    CHECK(read.source == "cross-validation");
    REQUIRE(read.members.size() == 2);
    CHECK(fs::weakly_canonical(read.members[1]) ==
          fs::weakly_canonical(dir.path() / "run/folds/fold-2/checkpoints/last.safetensors"));
    CHECK(expand_ensemble_manifests({"a.safetensors", file.string(), "b.safetensors"}).size() == 4);
    CHECK(is_ensemble_manifest("x/ensemble.json"));
    CHECK_FALSE(is_ensemble_manifest("x/best.safetensors"));

    for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
             {"[1, 2]", "not a JSON object"},
             {"{\"format\": \"dlctl-weights\"}", "\"format\""},
             {R"({"format": "dlctl-ensemble", "format_version": 2, "members": ["a"]})",
              "newer than this dlctl reads"},
             {R"({"format": "dlctl-ensemble", "format_version": 1, "members": []})",
              "non-empty list"},
             {R"({"format": "dlctl-ensemble", "format_version": 1, "members": [3]})", "a path"}}) {
        INFO(text);
        const fs::path bad = dir.write("bad.json", text);
        CHECK_THROWS_MATCHES(read_ensemble_manifest(bad), IoError,
                             Catch::Matchers::Predicate<IoError>([&](const IoError& e) {
                                 const std::string message = e.what();
                                 return message.find("is not a dlctl ensemble file") !=
                                            std::string::npos &&
                                        message.find(why) != std::string::npos;
                             }));
    }
    CHECK_THROWS_AS(read_ensemble_manifest(dir.path() / "missing.json"), IoError);
}
