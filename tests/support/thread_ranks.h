#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "dlctl/parallel/communicator.h"

namespace dlctl::test {

/// Several ranks in one process, one thread each, whose collectives meet in shared memory: the
/// data-parallel code runs in unit tests (and under the sanitizers) without MPI. Sums follow
/// Communicator's contract (rank order, in double).
class ThreadRanks {
  public:
    explicit ThreadRanks(int size);
    ~ThreadRanks();

    /// Runs `body` once on each rank's thread with that rank's Communicator, and waits for all.
    /// When a body throws, the other ranks stop at their next collective and run() rethrows the
    /// first rank's error; a rank that calls a collective after another rank's body returned,
    /// or another collective than the others at the same time, throws (the ranks' sequences of
    /// collectives differ).
    void run(const std::function<void(Communicator&)>& body);

  private:
    struct Shared;
    class Rank;
    std::unique_ptr<Shared> shared_;
    std::vector<std::unique_ptr<Rank>> ranks_;
};

}  // namespace dlctl::test
