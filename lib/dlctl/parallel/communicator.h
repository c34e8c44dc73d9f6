#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace dlctl {

/// The processes (ranks) that train one model together, and the collective operations their
/// training needs. Every rank calls each collective in the same order with the same sizes.
///
/// Sums are deterministic and equal on every rank: each element is the sum of the ranks' values
/// in rank order 0, 1, …, N−1, accumulated in double and rounded once. So the ranks' weights
/// stay bitwise identical, and a run's result does not depend on the transport's algorithm.
class Communicator {
  public:
    virtual ~Communicator() = default;

    virtual int rank() const = 0;
    virtual int size() const = 0;
    /// Rank 0: the one that writes the run directory and logs.
    bool leads() const { return rank() == 0; }

    /// Replaces `values` by their sum over the ranks.
    virtual void sum(float* values, std::int64_t count) = 0;
    virtual void sum(double* values, std::int64_t count) = 0;
    /// Whether any rank passed true.
    virtual bool any(bool flag) = 0;
    /// Rank 0's `values` on every rank.
    virtual void broadcast(float* values, std::int64_t count) = 0;
    /// Every rank's `values`, concatenated in rank order (counts may differ between ranks).
    virtual std::vector<float> concatenate(const float* values, std::int64_t count) = 0;
    virtual std::vector<std::uint32_t> concatenate(const std::uint32_t* values,
                                                   std::int64_t count) = 0;
    /// Sends `counts[d]` values to each rank d (rank 0's first, then rank 1's, … in `values`)
    /// and returns what every rank sent this one, concatenated in rank order.
    virtual std::vector<float> exchange(const float* values,
                                        const std::vector<std::int64_t>& counts) = 0;
    /// Every rank's `text`, in rank order.
    virtual std::vector<std::string> gather_text(const std::string& text) = 0;
    /// Ends every rank at once (after this rank's error), with `exit_code`.
    [[noreturn]] void abort(int exit_code) {
        abort_every_rank(exit_code);
        std::_Exit(exit_code);
    }

  protected:
    virtual void abort_every_rank(int exit_code) = 0;
};

/// One process on its own: every collective is the identity.
std::unique_ptr<Communicator> single_process();

/// The ranks this process was launched among: MPI's world when a launcher (mpirun, srun)
/// started several (parallel_launch), from the MPI module libdlctl_mpi.so; else single_process.
/// UsageError when launched as several ranks by a build without MPI or without its module.
std::unique_ptr<Communicator> join_launched_ranks();

}  // namespace dlctl
