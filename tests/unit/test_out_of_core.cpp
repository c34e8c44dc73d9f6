#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/core/error.h"
#include "dlctl/core/process_memory.h"
#include "dlctl/core/random.h"
#include "dlctl/data/column_store.h"
#include "dlctl/data/csv_parallel.h"
#include "dlctl/data/dataset.h"
#include "dlctl/data/feature_file.h"
#include "dlctl/data/out_of_core.h"
#include "dlctl/nn/model_builder.h"
#include "dlctl/train/parameter_groups.h"
#include "dlctl/train/trainer.h"
#include "support/mixed_data.h"
#include "support/small_network.h"
#include "support/temp_dir.h"

using namespace dlctl;
using Catch::Matchers::Contains;
using dlctl::test::mixed_csv;
using dlctl::test::mixed_spec;
using dlctl::test::small_binary_network;
using dlctl::test::SmallNetwork;
using dlctl::test::TempDir;
using dlctl::test::weighted_binary_rows;

namespace {

std::vector<float> features_of(const Dataset& d) {
    if (!d.on_disk) return d.features;
    std::vector<float> out(static_cast<std::size_t>(d.n_rows * d.n_features));
    d.on_disk->read(0, d.n_rows, out.data());
    return out;
}

void check_same_split(const Dataset& in_memory, const Dataset& out_of_core) {
    REQUIRE(out_of_core.on_disk);
    CHECK(out_of_core.features.empty());
    CHECK(out_of_core.n_rows == in_memory.n_rows);
    CHECK(out_of_core.n_features == in_memory.n_features);
    CHECK(features_of(out_of_core) == in_memory.features);
    CHECK(out_of_core.targets == in_memory.targets);
    CHECK(out_of_core.weights == in_memory.weights);
    CHECK(out_of_core.outside_vocabulary == in_memory.outside_vocabulary);
}

}  // namespace

TEST_CASE("byte sizes read with decimal and binary units", "[core][memory]") {
    CHECK(parse_byte_size("4096") == 4096u);
    CHECK(parse_byte_size("512MB") == 512000000u);
    CHECK(parse_byte_size("2 GB") == 2000000000u);
    CHECK(parse_byte_size("1.5GiB") == 1610612736u);
    CHECK(parse_byte_size("64kib") == 65536u);
    CHECK_FALSE(parse_byte_size("lots"));
    CHECK_FALSE(parse_byte_size("5 parsecs"));
    CHECK_FALSE(parse_byte_size("-1MB"));
    CHECK(physical_memory_bytes() > 0);
}

TEST_CASE("a streamed CSV hands over every row once, with its line and the file's categories",
          "[data][out_of_core]") {
    std::string text = "a,b\n";
    for (int r = 0; r < 500; ++r) {
        text += std::to_string(r) + "," + (r % 7 == 0 ? "x" : r % 3 == 0 ? "y" : "z") + "\n";
        if (r == 200) text += "\n";  // a blank line shifts the line numbers
    }
    CsvOptions options;
    options.column_types = {{"b", ColumnType::kCategorical}};
    int windows = 0;
    std::vector<float> a, b;
    std::vector<std::uint32_t> lines;
    std::vector<std::string> categories;
    std::uint64_t last_read = 0;
    stream_csv_text("t.csv", text, options, 256, [&](const Table& w, std::uint64_t read) {
        CHECK(read > last_read);
        last_read = read;
        ++windows;
        a.insert(a.end(), w.columns[0].begin(), w.columns[0].end());
        b.insert(b.end(), w.columns[1].begin(), w.columns[1].end());
        lines.insert(lines.end(), w.lines.begin(), w.lines.end());
        categories = w.categories[1];
    });
    const Table whole = read_csv_text("t.csv", text, options);
    CHECK(windows > 5);
    CHECK(a == std::vector<float>(whole.columns[0].begin(), whole.columns[0].end()));
    CHECK(b == std::vector<float>(whole.columns[1].begin(), whole.columns[1].end()));
    CHECK(lines == whole.lines);
    CHECK(categories == whole.categories[1]);
    CHECK(last_read == text.size());
}

TEST_CASE("streaming names the line where a row breaks a column's type or spans lines",
          "[data][out_of_core]") {
    std::string text = "a,b\n";
    for (int r = 0; r < 300; ++r) text += std::to_string(r) + ",1\n";
    CsvOptions options;
    const auto stream = [&](const std::string& csv) {
        stream_csv_text("t.csv", csv, options, 256, [](const Table&, std::uint64_t) {});
    };
    CHECK_THROWS_WITH(stream(text + "oops,2\n"),
                      Contains("t.csv:302:") && Contains("not a number"));
    CHECK_THROWS_WITH(stream(text + "\"7\n8\",2\n"), Contains("t.csv:302:"));
    CHECK_THROWS_WITH(stream(text + "1,2,3\n"), Contains("t.csv:302: found 3 fields"));
    CHECK_THROWS_WITH(stream("a,b\n"), Contains("no data rows"));
}

TEST_CASE("a column store keeps every cell, types from the first window, booleans as 0/1",
          "[data][out_of_core]") {
    TempDir dir;
    const auto csv = dir.write("d.csv", mixed_csv(400));
    CsvOptions options;
    options.infer_types = true;
    options.na_values = {"", "NA"};
    const ColumnStore store = ColumnStore::write(csv, options, dir.path() / "store", 1024);
    const Table whole = read_csv(csv, options);
    CHECK(store.groups() > 5);
    CHECK(store.rows() == whole.rows());
    CHECK(store.header().types == whole.types);
    CHECK(store.header().categories == whole.categories);
    for (int c = 0; c < 5; ++c) {
        const Column column = store.column(c);
        for (std::size_t r = 0; r < whole.rows(); ++r) {
            const float expected = whole.columns[c][r];
            CHECK((std::isnan(expected) ? std::isnan(column[r]) : column[r] == expected));
        }
    }
    CHECK(store.lines() == whole.lines);
    const Table group = store.group(2, {1});
    CHECK(group.rows() == store.group_rows(2));
    CHECK(group.columns[0].empty());
    CHECK(group.columns[1][0] == whole.columns[1][store.group_first(2)]);
    CHECK(group.lines[0] == whole.lines[store.group_first(2)]);
}

TEST_CASE("a column store names the line of a value its first window's types cannot hold",
          "[data][out_of_core]") {
    TempDir dir;
    std::string numbers = "x,flag\n";
    for (int r = 0; r < 300; ++r) numbers += std::to_string(r) + ",yes\n";
    CsvOptions options;
    options.infer_types = true;
    const auto write = [&](const std::string& text) {
        ColumnStore::write(dir.write("d.csv", text), options, dir.path() / "store", 512);
    };
    CHECK_THROWS_WITH(write(numbers + "abc,no\n"),
                      Contains(":302: column 'x' holds 'abc', which is not a number"));
    CHECK_THROWS_WITH(write(numbers + "1,maybe\n"), Contains(":302: column 'flag' holds 'maybe'"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "store"));
}

TEST_CASE("out-of-core preparation gives the in-memory splits, preprocessing and encoding",
          "[data][out_of_core]") {
    TempDir dir;
    const auto csv = dir.write("d.csv", mixed_csv(3000));
    for (const bool stratify : {true, false}) {
        DataSpec spec = mixed_spec(csv, dir.path());
        spec.split.stratify = stratify ? "true" : "false";
        const PreparedData in_memory = prepare_data(spec, 5, 3);
        MemoryPlan plan{true, 64u << 20, 2048};
        // Without shuffling, every split keeps its order: an in-memory run's steps.
        const PreparedData out = prepare_data_out_of_core(spec, 5, 3, plan, {16, false});
        CHECK(out.out_of_core);
        CHECK(out.rows_read == in_memory.rows_read);
        CHECK(out.labels == in_memory.labels);
        CHECK(out.feature_names == in_memory.feature_names);
        CHECK(out.feature_missing == in_memory.feature_missing);
        CHECK(out.split.train == in_memory.split.train);
        CHECK(out.split.test == in_memory.split.test);
        CHECK(out.preprocessor.to_json() == in_memory.preprocessor.to_json());
        check_same_split(in_memory.train, out.train);
        check_same_split(in_memory.validation, out.validation);
        check_same_split(in_memory.test, out.test);
    }
    // No scratch file is ever visible: each is unlinked as soon as it is made.
    CHECK(std::filesystem::is_empty(dir.path() / "out-of-core"));
}

TEST_CASE("out-of-core regression normalizes targets and drops rows as in memory",
          "[data][out_of_core]") {
    TempDir dir;
    std::string text = "a,b,y\n";
    Rng rng(2, RngStream::kInit);
    for (int r = 0; r < 1000; ++r) {
        text += std::to_string(rng.uniform()) + "," + (r % 11 == 0 ? "" : std::to_string(r)) + "," +
                (r % 13 == 0 ? "" : std::to_string(rng.uniform() * 100)) + "\n";
    }
    const auto csv = dir.write("r.csv", text);
    DataSpec spec;
    spec.path = csv.string();
    spec.target = "y";
    spec.cache = false;
    spec.cache_dir = dir.path().string();
    spec.missing.numeric = "drop_row";
    spec.target_normalize = "standard";
    spec.normalize = "quantile";
    const PreparedData in_memory = prepare_data(spec, 1, 0);
    const PreparedData out =
        prepare_data_out_of_core(spec, 1, 0, {true, 64u << 20, 1000}, {16, false});
    CHECK(out.dropped_missing_target == in_memory.dropped_missing_target);
    CHECK(out.dropped_missing_feature == in_memory.dropped_missing_feature);
    CHECK(out.target_offset == in_memory.target_offset);
    CHECK(out.target_scale == in_memory.target_scale);
    check_same_split(in_memory.train, out.train);
    check_same_split(in_memory.validation, out.validation);
}

TEST_CASE("shuffled, the training rows are dealt into windows that each mix the classes",
          "[data][out_of_core]") {
    TempDir dir;
    const auto csv = dir.write("d.csv", mixed_csv(200000));
    DataSpec spec = mixed_spec(csv, dir.path());
    spec.split.stratify = "true";  // the split's training rows come class by class
    const PreparedData in_memory = prepare_data(spec, 5, 3);
    const PreparedData out =
        prepare_data_out_of_core(spec, 5, 3, {true, 20000000, 1250000}, {16, true});
    REQUIRE(out.window_rows > 0);
    REQUIRE(out.train.n_rows > 2 * out.window_rows);
    // The same rows, in another order.
    const auto rows_of = [](const Dataset& d, const std::vector<float>& features) {
        std::vector<std::vector<float>> rows;
        for (std::int64_t r = 0; r < d.n_rows; ++r) {
            std::vector<float> row(features.begin() + r * d.n_features,
                                   features.begin() + (r + 1) * d.n_features);
            row.push_back(d.targets[r]);
            row.push_back(d.weights[r]);
            rows.push_back(row);
        }
        std::sort(rows.begin(), rows.end());
        return rows;
    };
    CHECK(rows_of(out.train, features_of(out.train)) ==
          rows_of(in_memory.train, in_memory.train.features));
    CHECK(features_of(out.train) != in_memory.train.features);
    for (std::int64_t first = 0; first + out.window_rows <= out.train.n_rows;
         first += out.window_rows) {
        std::vector<int> count(3, 0);
        for (std::int64_t r = first; r < first + out.window_rows; ++r) {
            ++count[static_cast<std::size_t>(out.train.targets[r])];
        }
        for (const int c : count) CHECK(c > out.window_rows / 5);
    }
    // Validation and test rows in file order.
    std::vector<std::uint32_t> test = in_memory.split.test;
    std::sort(test.begin(), test.end());
    CHECK(out.test.targets.size() == test.size());
    CHECK(rows_of(out.test, features_of(out.test)) ==
          rows_of(in_memory.test, in_memory.test.features));
}

TEST_CASE("a memory budget too small for the rows is an error naming data.memory_budget",
          "[data][out_of_core]") {
    TempDir dir;
    const auto csv = dir.write("d.csv", mixed_csv(3000));
    const DataSpec spec = mixed_spec(csv, dir.path());
    CHECK_THROWS_MATCHES(
        prepare_data_out_of_core(spec, 5, 3, {true, 100000, 4096}, {}), UsageError,
        Catch::Matchers::Predicate<UsageError>([](const UsageError& e) {
            return std::string(e.what()).find("data.memory_budget") != std::string::npos &&
                   e.hint().find("raise data.memory_budget to") != std::string::npos;
        }));
}

TEST_CASE("the memory plan goes out of core for files larger than half the budget",
          "[data][out_of_core]") {
    TempDir dir;
    DataSpec spec;
    spec.path = dir.write("d.csv", std::string(5000, '1')).string();
    spec.memory_budget = "8KB";
    CHECK(plan_memory(spec).out_of_core);
    CHECK(plan_memory(spec).budget == 8000u);
    spec.memory_budget = "1MB";
    CHECK_FALSE(plan_memory(spec).out_of_core);
    spec.in_memory = "false";
    CHECK(plan_memory(spec).out_of_core);
    spec.memory_budget = "auto";
    spec.in_memory = "auto";
    CHECK(plan_memory(spec).budget == physical_memory_bytes() / 2);
    CHECK(training_window_rows({true, 1u << 20, 0}, 8, 100) == 2000);
    CHECK(training_window_rows({true, 1000, 0}, 8, 100) == 100);  // one batch at least
}

namespace {

/// `data` with its features moved to a file in `dir`.
Dataset on_disk(const Dataset& data, const std::filesystem::path& file) {
    auto features = std::make_shared<FeatureFile>(file, data.n_features, data.n_rows);
    features->write(0, data.n_rows, data.features.data());
    Dataset out = data;
    out.features.clear();
    out.on_disk = features;
    return out;
}

std::vector<std::pair<double, double>> losses_of(const Dataset& train,
                                                 const Dataset& validation,
                                                 bool shuffle,
                                                 std::int64_t window_rows) {
    SmallNetwork network = small_binary_network(train.n_features, 8);
    Backend& backend = *network.backend;
    Sequential& model = *network.model;
    TrainerOptions o;
    o.epochs = 3;
    o.batch_size = 16;
    o.seed = 11;
    o.shuffle = shuffle;
    o.metrics = {"auc"};
    o.window_rows = window_rows;
    Trainer trainer(backend, model, *network.loss, *network.optimizer, o);
    const DeviceDataset d = trainer.upload(train), dv = trainer.upload(validation);
    std::vector<std::pair<double, double>> out;
    trainer.fit(d, &dv, [&](const EpochResult& r) {
        out.emplace_back(r.train.loss, r.validation->loss);
        CHECK(r.train.metrics.at(0).second > 0.5);
    });
    return out;
}

}  // namespace

TEST_CASE("training from disk a window at a time takes the in-memory steps without shuffling",
          "[train][out_of_core]") {
    TempDir dir;
    // Validation is read in windows of whole inference batches (1024 rows).
    const Dataset train = weighted_binary_rows(203), validation = weighted_binary_rows(2100);
    const Dataset train_file = on_disk(train, dir.path() / "train");
    const Dataset validation_file = on_disk(validation, dir.path() / "validation");
    const auto in_memory = losses_of(train, validation, false, 0);
    CHECK(losses_of(train_file, validation_file, false, 48) == in_memory);
    CHECK(losses_of(train_file, validation_file, false, 16) == in_memory);
    // Shuffled windows train as well, in another order.
    const auto shuffled = losses_of(train_file, validation_file, true, 48);
    REQUIRE(shuffled.size() == 3);
    CHECK(shuffled != in_memory);
    CHECK(shuffled.back().first < shuffled.front().first);
}
