#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "integration/cli_runner.h"
#include "integration/run_checks.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using nlohmann::json;

TEST_CASE("calibrate fits a temperature that eval, predict and inspect then use",
          "[cli][calibrate]") {
    TempDir dir;
    const std::string penguins = quote(source_file("data/penguins.csv"));
    for (const std::string target : {"species", "sex"}) {
        INFO(target);
        const fs::path run = train_penguins(dir.path() / target, "--target " + target, 4);
        const fs::path original = run / "checkpoints/best.safetensors";
        const fs::path calibrated = dir.path() / (target + "-calibrated.safetensors");
        const CliResult c = run_dlctl("calibrate " + quote(original) + " --data " + penguins +
                                      " -o " + quote(calibrated));
        INFO(c.err);
        REQUIRE(c.exit_code == 0);
        CHECK_THAT(c.out, Contains("temperature") && Contains("log_loss") && Contains("ece"));

        const std::string on = " --data " + penguins;
        const json before =
            eval_json("--checkpoint " + quote(original) + on, dir.path() / "before.json");
        const json after =
            eval_json("--checkpoint " + quote(calibrated) + on, dir.path() / "after.json");
        INFO("log loss " << before["metrics"]["log_loss"] << " -> " << after["metrics"]["log_loss"]
                         << ", ece " << before["metrics"]["ece"] << " -> "
                         << after["metrics"]["ece"]);
        CHECK(after["metrics"]["log_loss"].get<double>() <=
              before["metrics"]["log_loss"].get<double>() + 1e-6);
        // The same classes, other probabilities.
        CHECK(after["metrics"]["accuracy"] == before["metrics"]["accuracy"]);
        const CliResult p0 = run_dlctl("predict " + penguins + " --checkpoint " + quote(original));
        const CliResult p1 =
            run_dlctl("predict " + penguins + " --checkpoint " + quote(calibrated));
        REQUIRE(p1.exit_code == 0);
        CHECK(p0.out != p1.out);
        const CliResult inspected = run_dlctl("inspect " + quote(calibrated));
        CHECK_THAT(inspected.out, Contains("calibrated  temperature"));
    }
}

TEST_CASE("calibrate refuses regression models and leaves -o as it was when it fails",
          "[cli][calibrate]") {
    TempDir dir;
    const fs::path run = dir.path() / "diabetes";
    REQUIRE(run_dlctl("train " + quote(source_file("configs/diabetes.yaml")) +
                      " -q --threads 1 --set train.epochs=1 --run-dir " + quote(run))
                .exit_code == 0);
    const fs::path kept = dir.write("kept.safetensors", "keep me");
    const CliResult regression =
        run_dlctl("calibrate " + quote(run / "checkpoints/best.safetensors") + " --data " +
                  quote(source_file("data/diabetes.csv")) + " -o " + quote(kept));
    CHECK(regression.exit_code == 2);
    CHECK_THAT(regression.err, Contains("regression"));
    CHECK(read_text(kept) == "keep me");

    const fs::path species = train_penguins(dir.path() / "species", "--target species", 1);
    const std::string ckpt = quote(species / "checkpoints/best.safetensors");
    // A label the model does not know: a data error (exit 3) before anything is written.
    const fs::path unknown = dir.write(
        "unknown.csv",
        "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n"
        "Emperor,Dream,40,18,190,3800,male,2008\n");
    const CliResult bad =
        run_dlctl("calibrate " + ckpt + " --data " + quote(unknown) + " -o " + quote(kept));
    CHECK(bad.exit_code == 3);
    CHECK(read_text(kept) == "keep me");
    CHECK(run_dlctl("calibrate " + ckpt + " -o " + quote(kept)).exit_code == 2);  // no --data
    CHECK(run_dlctl("calibrate " + ckpt + " --data " + quote(unknown) + " -o " + quote(dir.path()))
              .exit_code == 2);
    CHECK(read_text(kept) == "keep me");
}
