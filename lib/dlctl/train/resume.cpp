#include "dlctl/train/resume.h"

#include <spdlog/spdlog.h>

#include "dlctl/core/error.h"

namespace dlctl {

namespace fs = std::filesystem;

ExperimentOptions resume_options(const std::string& run_dir, const std::string& resume) {
    ExperimentOptions options;
    options.run_dir = run_dir;
    if (resume.empty()) return options;
    if (resume == "auto") {
        if (run_dir.empty()) {
            throw UsageError("--resume auto needs --run-dir (the run to continue)",
                             "e.g. dlctl train spec.yaml --run-dir runs/a --resume auto");
        }
        const fs::path last = fs::path(run_dir) / "checkpoints" / "last.safetensors";
        std::error_code ec;
        if (!fs::exists(last, ec)) {
            // Nothing to continue: the first attempt, or one stopped before its first epoch.
            options.in_place = fs::exists(fs::path(run_dir) / "train.log", ec);
            spdlog::info("no checkpoint in {}; training from the start", run_dir);
            return options;
        }
        options.resume = last;
    } else {
        options.resume = resume;
    }
    if (run_dir.empty()) return options;
    // Continuing in the checkpoint's own run directory (<run>/checkpoints/<file>)?
    std::error_code ec;
    const fs::path own =
        fs::weakly_canonical(fs::absolute(options.resume).parent_path() / "..", ec);
    options.in_place = !ec && fs::weakly_canonical(fs::absolute(run_dir), ec) == own;
    return options;
}

}  // namespace dlctl
