#include "integration/run_checks.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "integration/cli_runner.h"
#include "support/csv_cells.h"
#include "support/temp_dir.h"

namespace dlctl::test {

namespace fs = std::filesystem;
using nlohmann::json;

void check_resumes_exactly(const fs::path& run, int epoch, const fs::path& into) {
    const fs::path from = run / fmt::format("checkpoints/epoch-{:04d}.safetensors", epoch);
    const CliResult resumed = run_dlctl("train " + quote(run / "config.yaml") + " -q --run-dir " +
                                        quote(into) + " --resume " + quote(from));
    INFO(resumed.err);
    REQUIRE(resumed.exit_code == 0);
    CHECK(without_seconds(into / "metrics.csv") == without_seconds(run / "metrics.csv"));
}

void check_eval_matches_summary(const fs::path& run,
                                const std::string& checkpoint,
                                const fs::path& scratch) {
    const fs::path output = scratch / "eval.json";
    const CliResult e = run_dlctl("eval --checkpoint " + checkpoint + " --output " + quote(output));
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    const json summary = json::parse(read_text(run / "summary.json"));
    CHECK(json::parse(read_text(output))["metrics"]["loss"].get<double>() ==
          Approx(summary["test"]["loss"].get<double>()).epsilon(1e-6));
}

fs::path train_penguins(const fs::path& run, const std::string& args, int epochs) {
    const CliResult r =
        run_dlctl("train " + quote(source_file("data/penguins.csv")) + " " + args +
                  " --preset fast -q --threads 1 --set train.epochs=" + std::to_string(epochs) +
                  " --run-dir " + quote(run));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return run;
}

json eval_json(const std::string& args, const fs::path& out) {
    const CliResult r = run_dlctl("eval " + args + " --output " + quote(out));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(read_text(out));
}

}  // namespace dlctl::test
