#pragma once

#include <functional>
#include <string>

#include "dlctl/core/error.h"
#include "dlctl/parallel/communicator.h"

namespace dlctl {

/// An error every rank throws together, after they agreed on it (on_every_rank,
/// check_ranks_agree): rank 0 reports it, the others only exit with its code.
class RanksError : public Error {
  public:
    RanksError(ExitCode code, const std::string& message, std::string hint = {})
        : Error(code, message, std::move(hint)) {}
};

/// Runs `work` on every rank, then agrees on how it went: when it threw an Error on any rank,
/// every rank throws a RanksError with the first failing rank's message ("rank R of N: …"),
/// exit code and hint (a RanksError's as it is: the ranks agreed on it inside `work`). With one
/// process, `work`'s error passes through unchanged.
void on_every_rank(Communicator& ranks, const std::function<void()>& work);

/// Checks that every rank has the same `value` of `what` (its dlctl version, its resolved spec)
/// as rank 0; a RanksError (exit 2) naming the ranks that differ otherwise.
void check_ranks_agree(Communicator& ranks, const std::string& what, const std::string& value);

}  // namespace dlctl
