#pragma once

#include <filesystem>
#include <string>

namespace dlctl::test {

struct CliResult {
    int exit_code = -1;
    std::string out;  ///< stdout
    std::string err;  ///< stderr
    /// The last non-empty line of stdout.
    std::string last_line() const;
};

/// Runs the dlctl binary under test with `args` (shell syntax; quote paths with `quote`) in
/// `working_dir` (default: the current directory), with `stdin_file` (default: empty) as stdin.
CliResult run_dlctl(const std::string& args,
                    const std::filesystem::path& working_dir = {},
                    const std::filesystem::path& stdin_file = {});

/// Shell single-quoting.
std::string quote(const std::filesystem::path& path);

/// A file of the source tree, e.g. source_file("configs/breast_cancer.yaml").
std::filesystem::path source_file(const std::string& relative);

}  // namespace dlctl::test
