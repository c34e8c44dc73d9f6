#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace dlctl::test {

/// Trains `run`'s config.yaml again into `into`, resumed from its checkpoints/epoch-NNNN of
/// `epoch` (the run kept it: output.keep_checkpoints), and checks that metrics.csv comes out as
/// the uninterrupted run's, seconds aside.
void check_resumes_exactly(const std::filesystem::path& run,
                           int epoch,
                           const std::filesystem::path& into);

/// Checks that `dlctl eval` of `checkpoint` (a file of `run`, quoted) on the run's held-out test
/// split gives summary.json's test loss; `scratch` gets the eval JSON.
void check_eval_matches_summary(const std::filesystem::path& run,
                                const std::string& checkpoint,
                                const std::filesystem::path& scratch);

/// Trains data/penguins.csv briefly (`args`, e.g. "--target species", then --preset fast, one
/// thread and `epochs` epochs) into `run`, requiring success; `run`.
std::filesystem::path train_penguins(const std::filesystem::path& run,
                                     const std::string& args,
                                     int epochs);

/// `dlctl eval ARGS --output OUT`, requiring success; OUT's JSON.
nlohmann::json eval_json(const std::string& args, const std::filesystem::path& out);

}  // namespace dlctl::test
