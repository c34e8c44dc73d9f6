#include "dlctl/parallel/rank_agreement.h"

#include <fmt/format.h>

#include <vector>

namespace dlctl {

namespace {

constexpr char kSeparator = '\x1f';
/// Marks an error the ranks agreed on already (a RanksError): passed on without another prefix.
constexpr char kAgreed = '\x1e';

std::string encode(const Error& e) {
    return fmt::format("{}{}{}{}{}", static_cast<int>(e.code()), kSeparator, e.what(), kSeparator,
                       e.hint());
}

[[noreturn]] void throw_decoded(std::string encoded, int rank, int ranks) {
    const bool agreed = encoded.front() == kAgreed;
    if (agreed) encoded.erase(0, 1);
    const std::size_t a = encoded.find(kSeparator), b = encoded.find(kSeparator, a + 1);
    const auto code = static_cast<ExitCode>(std::stoi(encoded.substr(0, a)));
    const std::string message = encoded.substr(a + 1, b - a - 1);
    throw RanksError(code,
                     agreed ? message : fmt::format("rank {} of {}: {}", rank, ranks, message),
                     encoded.substr(b + 1));
}

}  // namespace

void on_every_rank(Communicator& ranks, const std::function<void()>& work) {
    if (ranks.size() == 1) {
        work();
        return;
    }
    std::string failure;
    try {
        work();
    } catch (const RanksError& e) {
        failure = kAgreed + encode(e);  // agreed on inside `work`: named once already
    } catch (const Error& e) {
        failure = encode(e);
    }
    const std::vector<std::string> all = ranks.gather_text(failure);
    for (int r = 0; r < ranks.size(); ++r) {
        if (!all[r].empty()) throw_decoded(all[r], r, ranks.size());
    }
}

void check_ranks_agree(Communicator& ranks, const std::string& what, const std::string& value) {
    if (ranks.size() == 1) return;
    const std::vector<std::string> all = ranks.gather_text(value);
    std::vector<int> differ;
    for (int r = 1; r < ranks.size(); ++r) {
        if (all[r] != all[0]) differ.push_back(r);
    }
    if (differ.empty()) return;
    throw RanksError(ExitCode::kUsage,
                     fmt::format("rank{} {} of {} {} a different {} than rank 0",
                                 differ.size() > 1 ? "s" : "", fmt::join(differ, ", "),
                                 ranks.size(), differ.size() > 1 ? "have" : "has", what),
                     "start every rank with the same dlctl build, spec and data (a shared "
                     "file system, the same command line)");
}

}  // namespace dlctl
