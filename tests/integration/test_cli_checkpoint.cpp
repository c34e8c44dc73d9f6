// End-to-end: checkpoints written by train, resumed, evaluated, predicted from and inspected.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "dlctl/io/safetensors.h"
#include "integration/cli_runner.h"
#include "integration/run_checks.h"
#include "support/csv_cells.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// Trains `config` (a bundled spec) for `epochs` into dir/name and returns the run directory.
fs::path train(const TempDir& dir,
               const std::string& name,
               const std::string& config,
               int epochs,
               const std::string& extra = "") {
    const fs::path run = dir.path() / name;
    const CliResult r =
        run_dlctl("train " + quote(source_file(config)) + " -q --run-dir " + quote(run) +
                  " --set train.epochs=" + std::to_string(epochs) + " " + extra);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return run;
}

/// The checkpoint `bytes` with metadata `key` set to `value`: the header rebuilt, the checksum
/// made to match, as a file dlctl wrote with that metadata would be.
std::string with_metadata(const std::string& bytes,
                          const std::string& key,
                          const std::string& value) {
    std::uint64_t length = 0;
    std::memcpy(&length, bytes.data(), 8);
    json header = json::parse(bytes.substr(8, length));
    header["__metadata__"][key] = value;
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    const std::uint64_t new_length = text.size();
    std::string out(reinterpret_cast<const char*>(&new_length), 8);
    out += text;
    out += bytes.substr(8 + length);
    REQUIRE(dlctl::reseal_checksum(out));
    return out;
}

/// The metadata `key` of checkpoint `bytes`, parsed as JSON.
json metadata_json(const std::string& bytes, const std::string& key) {
    std::uint64_t length = 0;
    std::memcpy(&length, bytes.data(), 8);
    return json::parse(
        json::parse(bytes.substr(8, length))["__metadata__"][key].get<std::string>());
}

}  // namespace

TEST_CASE("train writes last and best checkpoints that inspect describes", "[cli][checkpoint]") {
    TempDir dir;
    const fs::path run =
        train(dir, "run", "configs/wine.yaml", 4, "--set output.keep_checkpoints=2");
    for (const char* file : {"last", "best", "epoch-0003", "epoch-0004"}) {
        INFO(file);
        CHECK(fs::is_regular_file(run / "checkpoints" / (std::string(file) + ".safetensors")));
    }
    CHECK_FALSE(fs::exists(run / "checkpoints/epoch-0002.safetensors"));  // keep: 2
    // Names due at the same epoch hold the same bytes (one file, linked).
    CHECK(read_text(run / "checkpoints/epoch-0004.safetensors") ==
          read_text(run / "checkpoints/last.safetensors"));

    const CliResult r = run_dlctl("inspect --json " + quote(run / "checkpoints/last.safetensors"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json d = json::parse(r.out);
    CHECK(d["task"]["task"] == "multiclass");
    CHECK(d["task"]["labels"] == json({"0", "1", "2"}));
    CHECK(d["training"]["epoch"] == 4);
    CHECK(d["model"]["parameters"] == 611);
    CHECK(d["preprocessing"]["features"].size() == 13);
    const CliResult text = run_dlctl("inspect " + quote(run / "checkpoints/last.safetensors"));
    CHECK_THAT(text.out, Contains("total parameters: 611"));
}

TEST_CASE("eval re-creates the test split and matches train's summary", "[cli][checkpoint]") {
    TempDir dir;
    // No early stopping: the last checkpoint holds the final weights the summary evaluated.
    const fs::path run = train(dir, "run", "configs/breast_cancer.yaml", 3);
    const fs::path out = dir.path() / "eval.json";
    const CliResult r =
        run_dlctl("eval --checkpoint " + quote(run / "checkpoints/last.safetensors") +
                  " --output " + quote(out));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("accuracy"));
    const json summary = json::parse(read_text(run / "summary.json"));
    const json eval = json::parse(read_text(out));
    CHECK(eval["rows"] == summary["data"]["test_rows"]);
    CHECK(eval["metrics"]["accuracy"].get<double>() == summary["test"]["accuracy"].get<double>());
    CHECK(eval["confusion_matrix"] == summary["test"]["confusion_matrix"]);
    CHECK(eval["metrics"]["loss"].get<double>() ==
          Approx(summary["test"]["loss"].get<double>()).epsilon(1e-5));
    CHECK(eval["per_class"].size() == 2);
}

TEST_CASE("predict gives the outputs eval scores, with ids and any column order",
          "[cli][checkpoint]") {
    TempDir dir;
    const fs::path run = train(dir, "run", "configs/wine.yaml", 3);
    const fs::path ckpt = run / "checkpoints/last.safetensors";
    // The data with its columns reversed and an id column.
    const auto rows = csv_cells(read_text(source_file("data/wine.csv")));
    std::string shuffled;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        shuffled += r == 0 ? "id" : "row" + std::to_string(r);
        for (auto it = rows[r].rbegin(); it != rows[r].rend(); ++it) shuffled += "," + *it;
        shuffled += "\n";
    }
    const fs::path data = dir.write("shuffled.csv", shuffled);
    const CliResult p = run_dlctl("predict " + quote(data) + " --checkpoint " + quote(ckpt) +
                                  " --id-column id -o " + quote(dir.path() / "p.csv"));
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    const auto predictions = csv_cells(read_text(dir.path() / "p.csv"));
    REQUIRE(predictions.size() == rows.size());
    CHECK(predictions[0] ==
          std::vector<std::string>{"id", "prediction", "prob_0", "prob_1", "prob_2"});
    CHECK(predictions[1][0] == "row1");
    CHECK_THAT(p.err, Contains("ignoring 1 column the model does not use: cultivar"));

    const CliResult e = run_dlctl("eval --checkpoint " + quote(ckpt) + " --data " + quote(data) +
                                  " --output " + quote(dir.path() / "e.json"));
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    const json eval = json::parse(read_text(dir.path() / "e.json"));
    const int target = static_cast<int>(rows[0].size()) - 1;  // cultivar is the last column
    REQUIRE(rows[0][target] == "cultivar");
    int correct = 0;
    for (std::size_t r = 1; r < rows.size(); ++r) correct += predictions[r][1] == rows[r][target];
    CHECK(eval["metrics"]["accuracy"].get<double>() ==
          Approx(static_cast<double>(correct) / (rows.size() - 1)).epsilon(1e-12));

    // jsonl and top-k from stdin.
    const CliResult j =
        run_dlctl("predict - --checkpoint " + quote(ckpt) + " --format jsonl --top-k 2", {}, data);
    REQUIRE(j.exit_code == 0);
    const json first = json::parse(j.out.substr(0, j.out.find('\n')));
    CHECK(first["top_k"].size() == 2);
    CHECK(first["prediction"] == predictions[1][1]);
}

TEST_CASE("predict reports missing columns and bad values, or skips them",
          "[cli][checkpoint][errors]") {
    TempDir dir;
    const fs::path run = train(dir, "run", "configs/breast_cancer.yaml", 1);
    const std::string ckpt = quote(run / "checkpoints/last.safetensors");
    const fs::path few = dir.write("few.csv", "mean_radius,other\n1,2\n");
    const CliResult missing = run_dlctl("predict " + quote(few) + " --checkpoint " + ckpt);
    CHECK(missing.exit_code == 3);
    CHECK_THAT(missing.err, Contains("missing 29 columns"));

    auto rows = csv_cells(read_text(source_file("data/breast_cancer.csv")));
    std::string text;
    for (std::size_t r = 0; r < 4; ++r) {
        if (r == 2) rows[r][1] = "abc";  // column 0 is an id the model does not use
        for (std::size_t c = 0; c < rows[r].size(); ++c) text += (c ? "," : "") + rows[r][c];
        text += "\n";
    }
    const fs::path bad = dir.write("bad.csv", text);
    const CliResult fail = run_dlctl("predict " + quote(bad) + " --checkpoint " + ckpt + " -o " +
                                     quote(dir.path() / "out.csv"));
    CHECK(fail.exit_code == 3);
    CHECK_THAT(fail.err, Contains("bad.csv:3: column '" + rows[0][1] + "': 'abc' is not a number"));
    CHECK_FALSE(fs::exists(dir.path() / "out.csv"));  // nothing half-written
    const CliResult skip =
        run_dlctl("predict " + quote(bad) + " --checkpoint " + ckpt + " --on-error skip");
    CHECK(skip.exit_code == 0);
    CHECK(csv_cells(skip.out).size() == 3);  // header + 2 good rows
    CHECK_THAT(skip.err, Contains("skipped 1 row"));
}

TEST_CASE("a resumed run reproduces the uninterrupted run's metrics", "[cli][checkpoint][resume]") {
    TempDir dir;
    // wine: AdamW, cosine schedule with warmup, batch norm, dropout and early stopping.
    const fs::path full =
        train(dir, "full", "configs/wine.yaml", 5, "--set output.keep_checkpoints=5");
    const fs::path resumed = dir.path() / "resumed";
    const CliResult r = run_dlctl(
        "train " + quote(source_file("configs/wine.yaml")) + " -q --set train.epochs=5 --run-dir " +
        quote(resumed) + " --resume " + quote(full / "checkpoints/epoch-0002.safetensors"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(without_seconds(resumed / "metrics.csv") == without_seconds(full / "metrics.csv"));
    CHECK(read_text(resumed / "model.safetensors").size() ==
          read_text(full / "model.safetensors").size());

    SECTION("in place with --resume auto") {
        const fs::path run =
            train(dir, "auto", "configs/wine.yaml", 5, "--set output.keep_checkpoints=5");
        // Simulate a run killed after epoch 2: its last checkpoint is epoch 2's, and
        // metrics.csv has rows after it.
        fs::copy_file(run / "checkpoints/epoch-0002.safetensors",
                      run / "checkpoints/last.safetensors", fs::copy_options::overwrite_existing);
        const CliResult a =
            run_dlctl("train " + quote(source_file("configs/wine.yaml")) +
                      " -q --set train.epochs=5 --run-dir " + quote(run) + " --resume auto");
        INFO(a.err);
        REQUIRE(a.exit_code == 0);
        CHECK(without_seconds(run / "metrics.csv") == without_seconds(full / "metrics.csv"));
        CHECK_THAT(read_text(run / "train.log"), Contains("resumed from"));
    }
    SECTION("in place, a metrics.csv that does not match the checkpoint is kept aside") {
        const fs::path run =
            train(dir, "edited", "configs/wine.yaml", 5, "--set output.keep_checkpoints=5");
        fs::copy_file(run / "checkpoints/epoch-0002.safetensors",
                      run / "checkpoints/last.safetensors", fs::copy_options::overwrite_existing);
        const std::string edited = "epoch,edited\n1,by hand\n";
        dir.write("edited/metrics.csv", edited);
        const CliResult a =
            run_dlctl("train " + quote(source_file("configs/wine.yaml")) +
                      " --set train.epochs=5 --run-dir " + quote(run) + " --resume auto");
        INFO(a.err);
        REQUIRE(a.exit_code == 0);
        CHECK_THAT(a.err, Contains("kept the earlier metrics.csv as"));
        CHECK(read_text(run / "metrics.csv.before-resume") == edited);
        CHECK_THAT(read_text(run / "metrics.csv"), Contains("\n3,"));
    }
    SECTION("a checkpoint away from its run starts metrics.csv after its epoch, and says so") {
        const fs::path lone = dir.path() / "lone.safetensors";
        fs::copy_file(full / "checkpoints/epoch-0002.safetensors", lone);
        const fs::path moved = dir.path() / "moved";
        const CliResult m = run_dlctl("train " + quote(source_file("configs/wine.yaml")) +
                                      " --set train.epochs=5 --run-dir " + quote(moved) +
                                      " --resume " + quote(lone));
        INFO(m.err);
        REQUIRE(m.exit_code == 0);
        CHECK_THAT(m.err, Contains("does not hold the 2 epochs of"));
        const std::string full_rows = without_seconds(full / "metrics.csv");
        const std::string header = full_rows.substr(0, full_rows.find('\n') + 1);
        const std::size_t epoch3 = full_rows.find("\n3,") + 1;
        CHECK(without_seconds(moved / "metrics.csv") == header + full_rows.substr(epoch3));
    }
    SECTION("a spec with another model is refused, naming the differences") {
        const CliResult bad =
            run_dlctl("train " + quote(source_file("configs/wine.yaml")) + " --run-dir " +
                      quote(dir.path() / "bad") + " --set model.layers.0.units=8 --resume " +
                      quote(full / "checkpoints/last.safetensors"));
        CHECK(bad.exit_code == 2);
        CHECK_THAT(bad.err, Contains("model.layers.0.units: 32 in the checkpoint, 8 now"));
        CHECK_FALSE(fs::exists(dir.path() / "bad"));
    }
}

TEST_CASE("a checkpoint that cannot be written stops training with an I/O error",
          "[cli][checkpoint][errors]") {
    // Checkpoints are written in the background; the failure must still reach the exit code.
    TempDir dir;
    const fs::path run =
        train(dir, "run", "configs/wine.yaml", 2, "--set output.keep_checkpoints=2");
    const fs::path last = run / "checkpoints/last.safetensors";
    fs::remove(last);
    fs::create_directories(last / "in-the-way");  // rename cannot replace a non-empty directory
    const CliResult r =
        run_dlctl("train " + quote(source_file("configs/wine.yaml")) + " -q --set train.epochs=4 " +
                  "--set output.keep_checkpoints=2 --run-dir " + quote(run) + " --resume " +
                  quote(run / "checkpoints/epoch-0002.safetensors"));
    INFO(r.err);
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Contains("last.safetensors"));
    CHECK(fs::is_directory(last / "in-the-way"));
}

TEST_CASE("eval and predict average an ensemble, and refuse mismatched models",
          "[cli][checkpoint]") {
    TempDir dir;
    const fs::path a = train(dir, "a", "configs/wine.yaml", 2);
    const fs::path b = train(dir, "b", "configs/wine.yaml", 2, "--seed 7");
    const fs::path c = train(dir, "c", "configs/breast_cancer.yaml", 1);
    const std::string both = " --checkpoint " + quote(a / "checkpoints/last.safetensors") +
                             " --checkpoint " + quote(b / "checkpoints/last.safetensors");
    const std::string data = quote(source_file("data/wine.csv"));
    const CliResult e = run_dlctl("eval --data " + data + both);
    INFO(e.err);
    CHECK(e.exit_code == 0);
    CHECK_THAT(e.err, Contains("an ensemble of 2 checkpoints"));
    const CliResult p1 =
        run_dlctl("predict " + data + " --checkpoint " + quote(a / "checkpoints/last.safetensors"));
    const CliResult p2 =
        run_dlctl("predict " + data + " --checkpoint " + quote(b / "checkpoints/last.safetensors"));
    const CliResult p = run_dlctl("predict " + data + both);
    REQUIRE(p.exit_code == 0);
    const auto r1 = csv_cells(p1.out), r2 = csv_cells(p2.out), r = csv_cells(p.out);
    CHECK(std::stof(r[1][2]) ==
          Approx((std::stof(r1[1][2]) + std::stof(r2[1][2])) / 2).epsilon(1e-6));
    const CliResult held_out = run_dlctl("eval" + both);  // different seeds: no common split
    CHECK(held_out.exit_code == 2);
    const CliResult mixed =
        run_dlctl("predict " + data + " --checkpoint " + quote(a / "checkpoints/last.safetensors") +
                  " --checkpoint " + quote(c / "checkpoints/last.safetensors"));
    CHECK(mixed.exit_code == 2);
    CHECK_THAT(mixed.err, Contains("cannot form an ensemble"));
}

TEST_CASE("each ensemble member reads the data as it was trained to", "[cli][checkpoint]") {
    // a reads magnesium as numbers; b as categories, with other missing-value markers and
    // without one feature; c has another test split.
    TempDir dir;
    const fs::path a = train(dir, "a", "configs/wine.yaml", 2);
    const fs::path b = train(dir, "b", "configs/wine.yaml", 2,
                             "--set data.columns.magnesium=categorical --set "
                             "'data.na_values=[\"?\"]' --set 'data.drop=[hue]'");
    const fs::path c = train(dir, "c", "configs/wine.yaml", 2, "--set data.split.test=0.3");
    const std::string ca = quote(a / "checkpoints/last.safetensors");
    const std::string cb = quote(b / "checkpoints/last.safetensors");
    const std::string data = quote(source_file("data/wine.csv"));
    const CliResult p1 = run_dlctl("predict " + data + " --checkpoint " + ca);
    const CliResult p2 = run_dlctl("predict " + data + " --checkpoint " + cb);
    const CliResult p =
        run_dlctl("predict " + data + " --checkpoint " + ca + " --checkpoint " + cb);
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    const auto r1 = csv_cells(p1.out), r2 = csv_cells(p2.out), r = csv_cells(p.out);
    REQUIRE(r.size() == r1.size());
    for (std::size_t row = 1; row < r.size(); row += 17) {
        CHECK(std::stof(r[row][2]) ==
              Approx((std::stof(r1[row][2]) + std::stof(r2[row][2])) / 2).epsilon(1e-6));
    }
    const CliResult labelled =
        run_dlctl("eval --data " + data + " --checkpoint " + ca + " --checkpoint " + cb);
    INFO(labelled.err);
    CHECK(labelled.exit_code == 0);
    const CliResult held_out = run_dlctl("eval --checkpoint " + ca + " --checkpoint " + cb);
    INFO(held_out.err);
    CHECK(held_out.exit_code == 0);
    CHECK_THAT(held_out.err, Contains("held-out test split"));
    const CliResult other_split = run_dlctl("eval --checkpoint " + ca + " --checkpoint " +
                                            quote(c / "checkpoints/last.safetensors"));
    CHECK(other_split.exit_code == 2);
    CHECK_THAT(other_split.err, Contains("different test splits"));
}

TEST_CASE("corrupt and foreign checkpoints are clear errors", "[cli][checkpoint][errors]") {
    TempDir dir;
    const fs::path run = train(dir, "run", "configs/breast_cancer.yaml", 1);
    const std::string good = read_text(run / "checkpoints/last.safetensors");
    auto check = [&](const std::string& name, const std::string& bytes,
                     const std::string& message) {
        const fs::path file = dir.write(name, bytes);
        for (const std::string command :
             {"inspect ", "eval --checkpoint ", "predict - --checkpoint "}) {
            const CliResult r = run_dlctl(command + quote(file));
            INFO(command + name + ": " + r.err);
            CHECK(r.exit_code == 4);
            CHECK_THAT(r.err, Contains(message));
        }
    };
    check("truncated.safetensors", good.substr(0, good.size() - 100), "outside the file");
    check("short.safetensors", good.substr(0, 5), "shorter than its 8-byte header length");
    std::string flipped = good;
    flipped[flipped.size() - 3] ^= 0x40;
    check("flipped.safetensors", flipped, "does not match its checksum");
    std::string bad_json = good;
    bad_json[9] = '#';
    check("json.safetensors", bad_json, "header is not valid JSON");
    check("weights.safetensors", read_text(run / "model.safetensors"), "not a dlctl checkpoint");
    std::string header_flip = good;
    const auto task_at = header_flip.find("binary");
    REQUIRE(task_at != std::string::npos);
    header_flip[task_at] ^= 0x01;  // one bit of the metadata: "binary" -> "cinary"
    check("header-flip.safetensors", header_flip, "does not match its checksum");
    check("version.safetensors", with_metadata(good, "format_version", "9"), "format version 9");
    std::string unsealed = good;
    const auto sum_at = unsealed.find("\"checksum\":");
    REQUIRE(sum_at != std::string::npos);
    unsealed.replace(sum_at + 1, 8, "checksun");  // the key gone, the length kept
    check("no-checksum.safetensors", unsealed, "has no checksum");
    const CliResult missing = run_dlctl("inspect " + quote(dir.path() / "nope.safetensors"));
    CHECK(missing.exit_code == 4);
}

TEST_CASE("checkpoint metadata that does not fit its model is refused before use",
          "[cli][checkpoint][errors]") {
    TempDir dir;
    const fs::path run = train(dir, "run", "configs/penguins.yaml", 1);
    const std::string good = read_text(run / "checkpoints/last.safetensors");
    auto refused = [&](const std::string& name, const json& task, const std::string& message) {
        const fs::path file = dir.write(name, with_metadata(good, "task", task.dump()));
        const std::string predict =
            "predict " + quote(source_file("data/penguins.csv")) + " --checkpoint ";
        for (const std::string& command :
             {std::string("inspect "), std::string("eval --checkpoint "), predict}) {
            const CliResult r = run_dlctl(command + quote(file));
            INFO(command + name + ": " + r.err);
            CHECK(r.exit_code == 4);
            CHECK_THAT(r.err, Contains(message));
        }
    };
    json more_classes = metadata_json(good, "task");  // the heap over-read of issue 23
    REQUIRE(more_classes["classes"] == 3);
    more_classes["classes"] = 5;
    more_classes["labels"].push_back("Extra1");
    more_classes["labels"].push_back("Extra2");
    refused("classes.safetensors", more_classes, "the model's output layer has 3 units");
    json other_task = metadata_json(good, "task");
    other_task["task"] = "regression";
    other_task["classes"] = 0;
    other_task["labels"] = json::array();
    refused("task.safetensors", other_task, "is not the saved spec's task 'multiclass'");
}

TEST_CASE("killing training at any moment never leaves a broken checkpoint",
          "[cli][checkpoint][kill]") {
    TempDir dir;
    const fs::path run = dir.path() / "run";
    // Checkpoints every epoch of a short-epoch run, so kills land during writes too.
    const std::string command =
        std::string(DLCTL_BINARY) + " train " + quote(source_file("configs/breast_cancer.yaml")) +
        " -q --set train.epochs=100000 --set train.batch_size=512 --device cpu --run-dir " +
        quote(run);
    int checked = 0;
    for (int attempt = 0; attempt < 12; ++attempt) {
        fs::remove_all(run);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::execl("/bin/sh", "sh", "-c", ("exec " + command + " >/dev/null 2>&1").c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(150 + 37 * attempt));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        const fs::path last = run / "checkpoints/last.safetensors";
        if (!fs::exists(last)) continue;
        const CliResult r = run_dlctl("inspect --json " + quote(last));
        INFO("attempt " << attempt << ": " << r.err);
        CHECK(r.exit_code == 0);
        ++checked;
    }
    CHECK(checked > 0);
}

TEST_CASE("a TabM ensemble trains, resumes, evaluates, predicts and inspects as one model",
          "[cli][checkpoint][ensemble]") {
    TempDir dir;
    const std::string wine = quote(source_file("data/wine.csv"));
    const auto train_tabm = [&](const std::string& name, const std::string& extra) {
        const CliResult r = run_dlctl(
            "train " + wine + " --target cultivar --preset tabm -q --set train.epochs=4 " +
            "--set model.layers.0.members=4 --set output.keep_checkpoints=4 --run-dir " +
            quote(dir.path() / name) + " " + extra);
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        return dir.path() / name;
    };
    const fs::path full = train_tabm("full", "");
    const std::string config = read_text(full / "config.yaml");
    CHECK_THAT(config, Contains("{type: ensemble, members: 4, scale: false}"));
    CHECK_THAT(config, Contains("ensemble: batch"));
    CHECK_THAT(config, Contains("units: 3, activation: softmax, use_bias: true, init: "
                                "glorot_uniform, ensemble: independent"));

    // Resuming from epoch 2 repeats epochs 3 and 4 exactly (members' scales and heads included).
    const CliResult resumed = run_dlctl("train " + quote(full / "config.yaml") + " -q --run-dir " +
                                        quote(dir.path() / "resumed") + " --resume " +
                                        quote(full / "checkpoints/epoch-0002.safetensors"));
    INFO(resumed.err);
    REQUIRE(resumed.exit_code == 0);
    CHECK(without_seconds(dir.path() / "resumed/metrics.csv") ==
          without_seconds(full / "metrics.csv"));

    const std::string ckpt = quote(full / "checkpoints/last.safetensors");
    const CliResult p = run_dlctl("predict " + wine + " --checkpoint " + ckpt);
    REQUIRE(p.exit_code == 0);
    const auto predictions = csv_cells(p.out);
    REQUIRE(predictions.size() == 179);
    for (std::size_t r = 1; r < predictions.size(); ++r) {
        const double total = std::stod(predictions[r][1]) + std::stod(predictions[r][2]) +
                             std::stod(predictions[r][3]);
        CHECK(total == Approx(1.0).margin(1e-5));  // the members' mean of probabilities
    }
    // eval's test loss is the train summary's: the loss of the members' mean prediction.
    const CliResult e =
        run_dlctl("eval --checkpoint " + ckpt + " --output " + quote(dir.path() / "e.json"));
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    const json summary = json::parse(read_text(full / "summary.json"));
    const json eval = json::parse(read_text(dir.path() / "e.json"));
    CHECK(eval["metrics"]["loss"].get<double>() ==
          Approx(summary["test"]["loss"].get<double>()).epsilon(1e-6));
    const CliResult spread = run_dlctl("predict " + wine + " --checkpoint " + ckpt + " --spread");
    REQUIRE(spread.exit_code == 0);
    const auto with_spread = csv_cells(spread.out);
    REQUIRE(with_spread.size() == 179);
    CHECK(with_spread[0].back() == "spread");
    int positive = 0;
    for (std::size_t r = 1; r < with_spread.size(); ++r) {
        const double s = std::stod(with_spread[r].back());
        CHECK(s >= 0.0);
        CHECK(s <= 0.5);  // of a probability
        positive += s > 0.0;
    }
    CHECK(positive > 0);
    // A row that cannot be read keeps its place, with no spread either.
    const auto wine_rows = csv_cells(read_text(source_file("data/wine.csv")));
    std::string two_rows = fmt::format("{}\n", fmt::join(wine_rows[0], ","));
    two_rows += fmt::format("{}\n", fmt::join(wine_rows[1], ","));
    std::vector<std::string> bad = wine_rows[2];
    bad[0] = "abc";
    two_rows += fmt::format("{}\n", fmt::join(bad, ","));
    const fs::path partly_bad = dir.write("bad.csv", two_rows);
    const CliResult blank = run_dlctl("predict " + quote(partly_bad) + " --checkpoint " + ckpt +
                                      " --spread --on-error blank --format jsonl");
    INFO(blank.err);
    REQUIRE(blank.exit_code == 0);
    const auto lines = blank.out.find('\n');
    REQUIRE(lines != std::string::npos);
    CHECK(json::parse(blank.out.substr(0, lines))["spread"].get<double>() >= 0.0);
    const json blank_row = json::parse(blank.out.substr(lines + 1));
    CHECK(blank_row["spread"].is_null());
    CHECK(blank_row["prediction"].is_null());
    const CliResult blank_csv = run_dlctl("predict " + quote(partly_bad) + " --checkpoint " + ckpt +
                                          " --spread --on-error blank");
    REQUIRE(blank_csv.exit_code == 0);
    // prediction, 3 probabilities and the spread, all empty.
    CHECK(blank_csv.out.substr(blank_csv.out.rfind('\n', blank_csv.out.size() - 2) + 1) ==
          ",,,,\n");
    const CliResult inspect = run_dlctl("inspect " + ckpt);
    CHECK_THAT(inspect.out, Contains("4 members"));
    CHECK_THAT(inspect.out, Contains("relu, batch"));
    const std::string weights = read_text(full / "model.safetensors");
    CHECK_THAT(weights, Contains("layers.1.dense.input_scale"));
    CHECK_THAT(weights, Contains("layers.7.dense.weight"));
}

TEST_CASE("predict --spread of two checkpoints is half their difference", "[cli][checkpoint]") {
    TempDir dir;
    const std::string diabetes = quote(source_file("data/diabetes.csv"));
    std::vector<std::string> checkpoints;
    std::vector<std::vector<std::vector<std::string>>> alone;
    for (const char* seed : {"1", "2"}) {
        const fs::path run = dir.path() / seed;
        const CliResult r =
            run_dlctl("train " + diabetes + " --target progression --preset fast -q --set " +
                      "train.epochs=2 --set seed=" + seed + " --run-dir " + quote(run));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        checkpoints.push_back(quote(run / "checkpoints/last.safetensors"));
        const CliResult p =
            run_dlctl("predict " + diabetes + " --checkpoint " + checkpoints.back());
        REQUIRE(p.exit_code == 0);
        alone.push_back(csv_cells(p.out));
    }
    const CliResult one =
        run_dlctl("predict " + diabetes + " --checkpoint " + checkpoints[0] + " --spread");
    CHECK(one.exit_code == 2);
    CHECK_THAT(one.err, Contains("--spread needs an ensemble"));
    const CliResult both =
        run_dlctl("predict " + diabetes + " --checkpoint " + checkpoints[0] + " --checkpoint " +
                  checkpoints[1] + " --spread --format jsonl");
    INFO(both.err);
    REQUIRE(both.exit_code == 0);
    std::istringstream lines(both.out);
    std::string line;
    std::size_t row = 1;
    for (; std::getline(lines, line); ++row) {
        const json j = json::parse(line);
        const double a = std::stod(alone[0][row][0]), b = std::stod(alone[1][row][0]);
        CHECK(j["prediction"].get<double>() == Approx((a + b) / 2).epsilon(1e-5));
        CHECK(j["spread"].get<double>() == Approx(std::abs(a - b) / 2).epsilon(1e-4).margin(1e-3));
    }
    CHECK(row == alone[0].size());
}

TEST_CASE("the realmlp preset trains, resumes exactly, evaluates and inspects",
          "[cli][checkpoint]") {
    TempDir dir;
    const std::string diabetes = quote(source_file("data/diabetes.csv"));
    const fs::path full = dir.path() / "full";
    const CliResult r = run_dlctl("train " + diabetes +
                                  " --target progression --preset realmlp -q --set train.epochs=6 "
                                  "--set output.keep_checkpoints=6 --run-dir " +
                                  quote(full));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string config = read_text(full / "config.yaml");
    CHECK_THAT(config, Contains("parametrization: ntk"));
    CHECK_THAT(config, Contains("{type: activation, activation: mish, parametric: true"));
    CHECK_THAT(config, Contains("schedule: {type: coslog, cycles: 4"));
    CHECK_THAT(read_text(full / "train.log"),
               Contains("initialised from") && Contains("parameter groups"));

    // The learning rate, dropout and weight decay follow the step count, so resuming from
    // epoch 3 repeats epochs 4 to 6 exactly.
    check_resumes_exactly(full, 3, dir.path() / "resumed");
    const std::string ckpt = quote(full / "checkpoints/best.safetensors");
    check_eval_matches_summary(full, ckpt, dir.path());
    const CliResult inspect = run_dlctl("inspect " + ckpt);
    REQUIRE(inspect.exit_code == 0);
    CHECK_THAT(inspect.out, Contains("mish, parametric, lr × 0.1") && Contains("lr × 6"));
    const CliResult tensors = run_dlctl("inspect " + ckpt + " --json");
    REQUIRE(tensors.exit_code == 0);
    CHECK_THAT(tensors.out, Contains("\"scale\""));
}

TEST_CASE("the mlp-plr preset embeds the numeric inputs, resumes exactly, evaluates and inspects",
          "[cli][checkpoint]") {
    TempDir dir;
    const std::string penguins = quote(source_file("data/penguins.csv"));
    const fs::path full = dir.path() / "full";
    const CliResult r = run_dlctl("train " + penguins +
                                  " --target species --preset mlp-plr -q --set train.epochs=4 "
                                  "--set output.keep_checkpoints=4 --run-dir " +
                                  quote(full));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(read_text(full / "config.yaml"),
               Contains("{type: periodic_embedding, units: 24, frequencies: 48, sigma: 0.01}"));
    check_resumes_exactly(full, 2, dir.path() / "resumed");
    const std::string ckpt = quote(full / "checkpoints/last.safetensors");
    check_eval_matches_summary(full, ckpt, dir.path());
    // Penguins' 5 numeric columns get 24 values each; the 6 one-hot inputs of island and sex
    // follow as they are.
    const CliResult inspect = run_dlctl("inspect " + ckpt);
    REQUIRE(inspect.exit_code == 0);
    CHECK_THAT(inspect.out, Contains("periodic_embedding  48 frequencies, 24 units an input") &&
                                Contains("(None, 126)") && Contains("inputs 11,"));
}
