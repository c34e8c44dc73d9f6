#include "integration/cli_runner.h"

#include <sys/wait.h>

#include <cstdlib>

#include "support/temp_dir.h"

namespace dlctl::test {

std::string CliResult::last_line() const {
    std::string text = out;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    const auto newline = text.rfind('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
}

std::string quote(const std::filesystem::path& path) {
    std::string text = "'";
    for (const char c : path.string()) text += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return text + "'";
}

CliResult run_dlctl(const std::string& args,
                    const std::filesystem::path& working_dir,
                    const std::filesystem::path& stdin_file) {
    TempDir capture;
    const auto out = capture.path() / "out", err = capture.path() / "err";
    std::string command;
    if (!working_dir.empty()) command = "cd " + quote(working_dir) + " && ";
    command += quote(DLCTL_BINARY) + " " + args + " <" +
               (stdin_file.empty() ? std::string("/dev/null") : quote(stdin_file)) + " >" +
               quote(out) + " 2>" + quote(err);
    const int status = std::system(command.c_str());
    CliResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_text(out);
    result.err = read_text(err);
    return result;
}

std::filesystem::path source_file(const std::string& relative) {
    return std::filesystem::path(DLCTL_SOURCE_DIR) / relative;
}

}  // namespace dlctl::test
