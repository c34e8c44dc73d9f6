#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "integration/cli_runner.h"
#include "integration/run_checks.h"
#include "support/temp_dir.h"

using namespace dlctl::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

TEST_CASE("dlctl export writes an ONNX graph, and a refused export leaves -o as it was",
          "[cli][export]") {
    TempDir dir;
    const fs::path run = train_penguins(dir.path() / "run", "--target species", 2);
    const std::string ckpt = quote(run / "checkpoints/best.safetensors");
    const fs::path model = dir.path() / "model.onnx";

    const CliResult written = run_dlctl("export " + ckpt + " -o " + quote(model));
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    CHECK_THAT(written.err, Contains("opset 17") && Contains("island (STRING)") &&
                                Contains("body_mass_g (FLOAT)") &&
                                Contains("outputs: label (STRING), probabilities (FLOAT)"));
    CHECK(fs::file_size(model) > 1000);

    const fs::path kept = dir.write("kept.onnx", "keep me");
    const std::string to_kept = " -o " + quote(kept);
    const CliResult opset = run_dlctl("export " + ckpt + to_kept + " --opset 12");
    CHECK(opset.exit_code == 2);
    CHECK_THAT(opset.err, Contains("--opset 12") && Contains("13 to 17"));
    const CliResult not_checkpoint =
        run_dlctl("export " + quote(source_file("data/penguins.csv")) + to_kept);
    CHECK(not_checkpoint.exit_code == 4);
    CHECK(run_dlctl("export " + ckpt + " -o " + quote(dir.path())).exit_code == 2);
    const CliResult tolerance = run_dlctl("export " + ckpt + to_kept + " --tolerance -1");
    CHECK(tolerance.exit_code == 2);
    CHECK_THAT(tolerance.err, Contains("--tolerance -1 is not a difference"));
    const CliResult no_data =
        run_dlctl("export " + ckpt + to_kept + " --verify " + quote(dir.path() / "nope.csv"));
    CHECK(no_data.exit_code == 3);
    CHECK_THAT(no_data.err, Contains("nope.csv") && Contains("does not exist"));
    const fs::path sex = train_penguins(dir.path() / "sex", "--target sex", 1);
    const CliResult mixed =
        run_dlctl("export " + ckpt + " " + quote(sex / "checkpoints/best.safetensors") + to_kept);
    CHECK(mixed.exit_code == 2);
    CHECK_THAT(mixed.err,
               Contains("cannot form an ensemble") && Contains("target 'species' vs 'sex'"));

    // --verify without an ONNX runtime: exit 7 saying what to install, and nothing written.
    setenv("DLCTL_PYTHON", "/nonexistent/python3", 1);
    const CliResult no_runtime = run_dlctl("export " + ckpt + to_kept + " --verify " +
                                           quote(source_file("data/penguins.csv")));
    unsetenv("DLCTL_PYTHON");
    CHECK(no_runtime.exit_code == 7);
    CHECK_THAT(no_runtime.err, Contains("onnxruntime"));
    CHECK(read_text(kept) == "keep me");
}

TEST_CASE("export --int8 --calibrate needs --int8 and prints both graphs' metrics",
          "[cli][export]") {
    TempDir dir;
    const fs::path run = train_penguins(dir.path() / "run", "--target species", 2);
    const std::string data = quote(source_file("data/penguins.csv"));
    const std::string ckpt = quote(run / "checkpoints/best.safetensors");
    const CliResult alone = run_dlctl("export " + ckpt + " -o " + quote(dir.path() / "m.onnx") +
                                      " --calibrate " + data);
    CHECK(alone.exit_code == 2);
    CHECK_THAT(alone.err, Contains("add --int8"));
    CHECK_FALSE(fs::exists(dir.path() / "m.onnx"));
}
