#include "dlctl/core/error.h"

#include <fmt/format.h>

namespace dlctl {

namespace {
std::string join_problems(const std::vector<std::string>& problems) {
    if (problems.size() == 1) return problems.front();
    std::string text = fmt::format("{} problems in the experiment spec:", problems.size());
    for (const auto& p : problems) text += "\n  " + p;
    return text;
}
}  // namespace

SpecError::SpecError(std::vector<std::string> problems, std::string hint)
    : Error(ExitCode::kUsage, join_problems(problems), std::move(hint)),
      problems_(std::move(problems)) {}

InternalError::InternalError(const char* file, int line, const std::string& condition)
    : Error(ExitCode::kInternal,
            fmt::format("internal error: check '{}' failed at {}:{}", condition, file, line),
            "this is a bug in dlctl; please report it with the command that triggered it") {}

void throw_error(ExitCode code, const std::string& message, std::string hint) {
    switch (code) {
        case ExitCode::kUsage:
            throw UsageError(message, std::move(hint));
        case ExitCode::kData:
            throw DataError(message, std::move(hint));
        case ExitCode::kIo:
            throw IoError(message, std::move(hint));
        default:
            throw Error(code, message, std::move(hint));
    }
}

}  // namespace dlctl
