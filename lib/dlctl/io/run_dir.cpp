#include "dlctl/io/run_dir.h"

#include <ctime>
#include <string>

#include "dlctl/core/error.h"

namespace dlctl {

namespace fs = std::filesystem;

namespace {

void make_dirs(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) {
        throw IoError("cannot create run directory '" + dir.string() +
                      "': " + (ec ? ec.message() : "a file of that name exists"));
    }
}

std::string timestamp() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
    return text;
}

}  // namespace

fs::path create_run_dir(const fs::path& parent, const fs::path& requested) {
    if (!requested.empty()) {
        for (const char* marker : {"config.yaml", "metrics.csv", "summary.json"}) {
            if (fs::exists(requested / marker)) {
                throw IoError("run directory '" + requested.string() +
                                  "' already holds a run (found " + marker + ")",
                              "choose another --run-dir, or delete that directory first");
            }
        }
        make_dirs(requested);
        return requested;
    }
    make_dirs(parent);
    const std::string stamp = timestamp();
    for (int attempt = 1;; ++attempt) {
        const fs::path candidate =
            parent / (attempt == 1 ? stamp : stamp + "-" + std::to_string(attempt));
        std::error_code ec;
        if (fs::create_directory(candidate, ec)) return candidate;
        if (ec)
            throw IoError("cannot create run directory '" + candidate.string() +
                          "': " + ec.message());
    }
}

}  // namespace dlctl
