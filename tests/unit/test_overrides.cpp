#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include "dlctl/config/overrides.h"
#include "dlctl/config/spec_loader.h"
#include "dlctl/core/error.h"
#include "unit/spec_fixtures.h"

using Catch::Matchers::Contains;
using dlctl::test::kValidSpec;

namespace {
dlctl::ExperimentSpec load(const std::vector<std::string>& sets) {
    return dlctl::load_spec_from_string(kValidSpec, "spec.yaml", "/base", sets);
}
std::string error_of(const std::vector<std::string>& sets) {
    try {
        load(sets);
    } catch (const dlctl::Error& e) {
        CHECK(e.code() == dlctl::ExitCode::kUsage);
        return e.what();
    }
    FAIL("overrides were accepted");
    return {};
}
}  // namespace

TEST_CASE("an override replaces scalars, list items and whole values", "[config][overrides]") {
    const auto spec = load({"train.epochs=12", "model.layers.0.units=64", "seed=3",
                            "data.drop=[id, other]", "model.layers.1={type: dropout, rate: 0.25}"});
    CHECK(spec.train.epochs == 12);
    CHECK(spec.model.layers[0].units == 64);
    CHECK(spec.seed == 3);
    CHECK(spec.data.drop == std::vector<std::string>{"id", "other"});
    CHECK(spec.model.layers[1].rate == 0.25);
}

TEST_CASE("an override creates missing mappings and later overrides win", "[config][overrides]") {
    const auto spec = load({"output.dir=elsewhere", "train.optimizer.momentum=0.9",
                            "train.epochs=5", "train.epochs=6"});
    CHECK(spec.output.dir == "/base/elsewhere");
    CHECK(spec.train.optimizer.momentum == 0.9);
    CHECK(spec.train.epochs == 6);
}

TEST_CASE("overridden values are validated and located by their --set", "[config][overrides]") {
    CHECK_THAT(error_of({"train.epochs=0"}),
               Contains("--set train.epochs=0: train.epochs: must be a positive integer"));
    CHECK_THAT(error_of({"train.epoch=4"}),
               Contains("--set train.epoch=4: train.epoch: unknown key 'epoch' (did you mean "
                        "'epochs'?)"));
    CHECK_THAT(error_of({"model.layers.0.units=many"}),
               Contains("expected an integer, got 'many'"));
}

TEST_CASE("bad override paths are usage errors naming the override", "[config][overrides]") {
    CHECK_THAT(error_of({"train.epochs"}), Contains("expected key.path=value"));
    CHECK_THAT(error_of({"=3"}), Contains("expected key.path=value"));
    CHECK_THAT(error_of({"train..epochs=3"}), Contains("empty segment"));
    CHECK_THAT(error_of({"model.layers.7.units=3"}),
               Contains("'model.layers' is a list of 3 items; '7' is not an index in it"));
    CHECK_THAT(error_of({"model.layers.first.units=3"}), Contains("'first' is not an index"));
    CHECK_THAT(error_of({"train.epochs.max=3"}),
               Contains("'train.epochs' is a single value, not a mapping or list"));
    CHECK_THAT(error_of({"train.epochs=[1"}), Contains("value is not valid YAML"));
}

TEST_CASE("parse_override keeps everything after the first '='", "[config][overrides]") {
    const dlctl::Override o = dlctl::parse_override("name=a=b");
    CHECK(o.path == "name");
    CHECK(o.value == "a=b");
    CHECK(o.origin == "--set name=a=b");
    YAML::Node root = YAML::Load("{}");
    dlctl::apply_override(root, o);
    CHECK(root["name"].as<std::string>() == "a=b");
}

TEST_CASE("a key created by --set is located by that --set", "[config][overrides]") {
    CHECK_THAT(error_of({"train.optimizr.lr=1"}),
               Contains("--set train.optimizr.lr=1: train.optimizr: unknown key 'optimizr' (did "
                        "you mean 'optimizer'?)"));
}

TEST_CASE("bad overrides are reported with every other problem", "[config][overrides]") {
    try {
        load({"model.layers.9.units=1", "train.epochs=0", "nonsense"});
        FAIL("accepted");
    } catch (const dlctl::SpecError& e) {
        REQUIRE(e.problems().size() == 3);
        CHECK_THAT(e.problems()[0], Contains("--set model.layers.9.units=1: 'model.layers' is a "
                                             "list of 3 items"));
        CHECK_THAT(e.problems()[1], Contains("--set nonsense: expected key.path=value"));
        CHECK_THAT(e.problems()[2], Contains("--set train.epochs=0: train.epochs: must be a "
                                             "positive integer"));
    }
}

TEST_CASE("flag overrides name the flag in messages", "[config][overrides]") {
    try {
        dlctl::load_spec_from_string(kValidSpec, "spec.yaml", "/base", {},
                                     {{"seed", "abc", "--seed abc"}});
        FAIL("accepted");
    } catch (const dlctl::SpecError& e) {
        CHECK_THAT(e.what(), Contains("--seed abc: seed: expected an integer, got 'abc'"));
    }
    const auto spec = dlctl::load_spec_from_string(kValidSpec, "spec.yaml", "/base", {"seed=1"},
                                                   {{"seed", "2", "--seed 2"}});
    CHECK(spec.seed == 2);  // flags apply after --set
}
