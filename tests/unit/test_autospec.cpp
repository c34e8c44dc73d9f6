// A spec without a model: the task inferred from the target, a preset's model and training.
#include <catch2/catch.hpp>
#include <string>

#include "dlctl/autospec/auto_spec.h"
#include "dlctl/autospec/presets.h"
#include "dlctl/autospec/task_inference.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/config/task.h"
#include "dlctl/core/error.h"
#include "dlctl/data/csv_reader.h"
#include "support/temp_dir.h"

using namespace dlctl;
using Catch::Matchers::Contains;
using dlctl::test::TempDir;

namespace {

/// The task of column y in `csv` text, read as read_data_table reads a target.
TaskGuess task_of(const std::string& csv, const std::string& given = "auto") {
    CsvOptions options;
    options.infer_types = true;
    options.na_values = {"", "NA"};
    options.column_types = {{"y", ColumnType::kCategorical}};
    const Table table = read_csv_text("t.csv", csv, options);
    return infer_task(table, table.column_index("y"), given);
}

std::string column(const std::string& name, const std::vector<std::string>& values) {
    std::string out = "x," + name + "\n";
    for (std::size_t i = 0; i < values.size(); ++i)
        out += std::to_string(i) + "," + values[i] + "\n";
    return out;
}

}  // namespace

TEST_CASE("the task follows from the target's values, and says why", "[autospec]") {
    const TaskGuess yes_no = task_of(column("y", {"yes", "no", "yes", "NA"}));
    CHECK(yes_no.task == "binary");
    CHECK(yes_no.classes == 1);
    CHECK_THAT(yes_no.reason, Contains("2 distinct values (no, yes)"));
    CHECK(task_of(column("y", {"0", "1", "1"})).task == "binary");
    // Training keeps each spelling as a label, so "1" and "1.0" are two classes here too.
    CHECK(task_of(column("y", {"1", "2", "1.0"})).classes == 3);
    const TaskGuess species = task_of(column("y", {"a", "b", "c", "a"}));
    CHECK(species.task == "multiclass");
    CHECK(species.classes == 3);
    const TaskGuess grades = task_of(column("y", {"1", "2", "3", "4", "5", "3"}));
    CHECK(grades.task == "multiclass");
    CHECK(grades.classes == 5);
    CHECK_THAT(grades.reason, Contains("--set data.task=regression"));
    std::vector<std::string> many;
    for (int i = 0; i < 30; ++i) many.push_back(std::to_string(i * 3));
    CHECK(task_of(column("y", many)).task == "regression");
    std::vector<std::string> floats;
    for (int i = 0; i < 11; ++i) floats.push_back(std::to_string(i) + ".5");
    CHECK(task_of(column("y", floats)).task == "regression");
}

TEST_CASE("a target that cannot decide a task is an error naming the choices", "[autospec]") {
    CHECK_THROWS_WITH(task_of(column("y", {"0.5", "1.5", "2.5", "0.5"})),
                      Contains("only 3 distinct numbers, not all integers (0.5, 1.5, 2.5)") &&
                          Contains("--set data.task=multiclass"));
    CHECK_THROWS_AS(task_of(column("y", {"0.5", "1.5", "2.5"})), DataError);
    CHECK_THROWS_WITH(task_of(column("y", {"7", "7", "NA"})),
                      Contains("holds 1 distinct value ('7')"));
    std::vector<std::string> ids;
    for (int i = 0; i < 250; ++i) ids.push_back("id" + std::to_string(i));
    CHECK_THROWS_WITH(task_of(column("y", ids)), Contains("250 distinct text values"));
    // A given task is taken, and checked.
    CHECK(task_of(column("y", {"0.5", "1.5", "2.5"}), "regression").task == "regression");
    CHECK(task_of(column("y", {"0.5", "1.5", "2.5"}), "multiclass").classes == 3);
    CHECK_THROWS_WITH(task_of(column("y", {"a", "b", "c"}), "regression"),
                      Contains("is not numeric"));
    CHECK_THROWS_WITH(task_of(column("y", {"a", "b", "c"}), "binary"),
                      Contains("data.task is binary, but target 'y' holds 3 distinct values"));
}

TEST_CASE("every preset gives a valid spec for every task", "[autospec]") {
    const std::string data = "name: p\ndata: {path: d.csv, target: y}\n";
    DataSpec spec_data;
    for (const std::string& preset : preset_names()) {
        for (const TaskGuess& task : {TaskGuess{"binary", 1, ""}, TaskGuess{"multiclass", 4, ""},
                                      TaskGuess{"regression", 0, ""}}) {
            for (const std::size_t rows : {100u, 5000u, 200000u}) {
                INFO(preset << " " << task.task << " " << rows);
                const ExperimentSpec spec = load_spec_from_string(
                    data, "p.yaml", "/base", {}, {}, preset_yaml(preset, task, spec_data, {rows}));
                CHECK(spec.data.task == task.task);
                CHECK(target_classes(spec) == task.classes);
                CHECK(spec.train.early_stopping.enabled);
                CHECK(spec.data.normalize == (preset == "realmlp" ? "smooth_clip" : "quantile"));
                CHECK(spec.train.batch_size >= 32);
                CHECK(spec.train.batch_size <= 512);
            }
        }
    }
    const ExperimentSpec real =
        load_spec_from_string(data, "p.yaml", "/base", {}, {},
                              preset_yaml("realmlp", {"multiclass", 4, ""}, spec_data, {900}));
    CHECK(real.model.parametrization == "ntk");
    CHECK(real.model.data_init);
    CHECK(real.model.layers.front().type == "scale");
    CHECK(real.model.layers[2].parametric);
    CHECK(real.model.layers[2].activation == "selu");
    CHECK(real.model.layers.back().init == "zeros");
    CHECK(real.train.label_smoothing == 0.1);
    CHECK(real.train.schedule.type == "coslog");
    CHECK(real.train.dropout_schedule == "flat_cos");
    CHECK_FALSE(real.train.optimizer.bias_decay);
    CHECK(preset_yaml("realmlp", {"regression", 0, ""}, spec_data, {900}).find("mish") !=
          std::string::npos);
    CHECK_THROWS_WITH(preset_yaml("mpl", {"binary", 1, ""}, spec_data, {10}),
                      Contains("unknown preset 'mpl'") && Contains("did you mean 'mlp'"));
}

TEST_CASE("presets embed categorical columns wider than their one-hot limit", "[autospec]") {
    const std::string data = "name: p\ndata: {path: d.csv, target: y}\n";
    DataSpec spec_data;  // data.max_categories 50
    auto load = [&](const std::string& preset, std::size_t widest) {
        return load_spec_from_string(
            data, "p.yaml", "/base", {}, {},
            preset_yaml(preset, {"binary", 1, ""}, spec_data, {900, widest}));
    };
    for (const std::string& preset : preset_names()) {
        INFO(preset);
        const bool real = preset == "realmlp";
        CHECK(load(preset, 8).data.embed_categories == 0);
        CHECK(load(preset, 8).model.layers.front().type != "category_embedding");
        const ExperimentSpec wide = load(preset, 60);
        CHECK(wide.data.embed_categories == (real ? 8 : 50));
        CHECK(wide.model.layers.front().type == "category_embedding");
        CHECK(wide.model.layers.front().units == (real ? 8 : 16));
        if (preset == "mlp-plr") CHECK(wide.model.layers[1].type == "periodic_embedding");
    }
    CHECK(load("realmlp", 9).data.embed_categories == 8);
    // The default, mlp-plr, embeds up to 100 numeric columns periodically.
    CHECK(preset_names().front() == "mlp-plr");
    auto first_layer = [&](std::size_t numeric_columns) {
        return load_spec_from_string(
                   data, "p.yaml", "/base", {}, {},
                   preset_yaml("mlp-plr", {"binary", 1, ""}, spec_data, {900, 0, numeric_columns}))
            .model.layers.front()
            .type;
    };
    CHECK(first_layer(100) == "periodic_embedding");
    CHECK(first_layer(101) == "dense");
    CHECK(load("mlp", 50).data.embed_categories == 0);
}

TEST_CASE("a spec's own keys and --set win over the preset's", "[autospec]") {
    const std::string defaults = preset_yaml("mlp", {"binary", 1, ""}, DataSpec{}, {1000});
    const ExperimentSpec spec = load_spec_from_string(
        "data: {path: d.csv, target: y, split: {test: 0.3}}\ntrain: {epochs: 3, "
        "optimizer: {lr: 0.01}}\n",
        "p.yaml", "/base", {"train.batch_size=64"}, {}, defaults);
    CHECK(spec.train.epochs == 3);
    CHECK(spec.train.optimizer.lr == 0.01);
    CHECK(spec.train.optimizer.type == "adamw");  // the preset's, under the spec's lr
    CHECK(spec.train.batch_size == 64);
    CHECK(spec.data.split.test == 0.3);
    CHECK(spec.data.split.validation == 0.2);
    // A problem in the spec's own keys still names its line.
    CHECK_THROWS_WITH(load_spec_from_string("data: {path: d.csv, target: y}\ntrain: {epochs: -1}\n",
                                            "p.yaml", "/base", {}, {}, defaults),
                      Contains("p.yaml:2:") && Contains("train.epochs"));
}

TEST_CASE("a spec with only data takes its task from the data", "[autospec]") {
    TempDir dir;
    dir.write("d.csv", "a,b,y\n1,x,no\n2,y,yes\n3,x,no\n4,y,yes\n5,x,yes\n");
    SpecRequest request;
    request.yaml = data_only_spec((dir.path() / "d.csv").string(), "y", "");
    request.source = "test";
    request.base_dir = dir.path();
    const ExperimentSpec spec = load_spec_request(request);
    CHECK(spec.name == "d");
    CHECK(spec.data.task == "binary");
    CHECK(spec.train.loss == "binary_crossentropy");
    request.preset = "nope";
    CHECK_THROWS_AS(load_spec_request(request), UsageError);
    request.preset = "";
    request.yaml = data_only_spec((dir.path() / "d.csv").string(), "z", "");
    CHECK_THROWS_WITH(load_spec_request(request),
                      Contains("column 'z' (from data.target) not found"));
    const std::string starter = starter_spec(spec, "");
    CHECK_THAT(starter, Contains("# The network, first layer to last"));
    const ExperimentSpec again = load_spec_from_string(starter, "starter.yaml", dir.path());
    CHECK(again.model.layers.size() == spec.model.layers.size());
}
