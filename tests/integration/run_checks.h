#pragma once

#include <filesystem>
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

}  // namespace dlctl::test
