#include "support/thread_ranks.h"

#include <atomic>
#include <barrier>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

namespace dlctl::test {

struct ThreadRanks::Shared {
    explicit Shared(int size)
        : meet(size),
          posted(static_cast<std::size_t>(size)),
          counts(posted.size()),
          collectives(posted.size()) {}
    std::barrier<> meet;
    /// A rank's body threw: the others stop at their next meeting.
    std::atomic<bool> broken{false};
    /// A rank's body returned: no rank may meet again.
    std::atomic<bool> departed{false};
    std::vector<const void*> posted;  ///< each rank's input to the current collective
    std::vector<std::int64_t> counts;
    /// Each rank's current collective, with its count where every rank must pass the same.
    std::vector<std::string> collectives;
};

class ThreadRanks::Rank final : public Communicator {
  public:
    Rank(Shared& shared, int rank) : shared_(shared), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return static_cast<int>(shared_.posted.size()); }

    void sum(float* values, std::int64_t count) override { sum_in_rank_order(values, count); }
    void sum(double* values, std::int64_t count) override { sum_in_rank_order(values, count); }
    bool any(bool flag) override {
        const auto flags = gather("any", &flag, 1, [](const void* p, std::int64_t) {
            return std::vector<bool>{*static_cast<const bool*>(p)};
        });
        for (bool f : flags) {
            if (f) return true;
        }
        return false;
    }
    void broadcast(float* values, std::int64_t count) override {
        const auto all =
            gather("broadcast of " + std::to_string(count), values, count, copy<float>);
        std::copy(all.begin(), all.begin() + count, values);  // rank 0's come first
    }
    std::vector<float> concatenate(const float* values, std::int64_t count) override {
        return gather("concatenate (float)", values, count, copy<float>);
    }
    std::vector<std::uint32_t> concatenate(const std::uint32_t* values,
                                           std::int64_t count) override {
        return gather("concatenate (uint32)", values, count, copy<std::uint32_t>);
    }
    std::vector<float> exchange(const float* values,
                                const std::vector<std::int64_t>& counts) override {
        const Outgoing mine{values, &counts};
        return gather("exchange", &mine, 1, [this](const void* p, std::int64_t) {
            const auto& from = *static_cast<const Outgoing*>(p);
            std::int64_t first = 0;
            for (int r = 0; r < rank_; ++r) first += from.counts->at(static_cast<std::size_t>(r));
            return std::vector<float>(from.values + first,
                                      from.values + first + from.counts->at(rank_));
        });
    }
    std::vector<std::string> gather_text(const std::string& text) override {
        return gather("gather_text", &text, 1, [](const void* p, std::int64_t) {
            return std::vector<std::string>{*static_cast<const std::string*>(p)};
        });
    }

  protected:
    void abort_every_rank(int) override {}

  private:
    /// A rank's input to exchange(): its values and how many go to each rank.
    struct Outgoing {
        const float* values;
        const std::vector<std::int64_t>* counts;
    };

    template <typename T>
    static std::vector<T> copy(const void* p, std::int64_t n) {
        const auto* t = static_cast<const T*>(p);
        return {t, t + n};
    }

    /// Every rank's `read(posted, count)`, concatenated in rank order; every rank has read
    /// before any returns, so each may then overwrite its input. Every rank must be in the same
    /// `collective` (what MPI would hang on fails the ranks here).
    template <typename Read>
    std::invoke_result_t<Read, const void*, std::int64_t> gather(const std::string& collective,
                                                                 const void* mine,
                                                                 std::int64_t count,
                                                                 Read read) {
        shared_.posted[rank_] = mine;
        shared_.counts[rank_] = count;
        shared_.collectives[rank_] = collective;
        meet(true);
        for (std::size_t r = 1; r < shared_.collectives.size(); ++r) {
            if (shared_.collectives[r] != shared_.collectives[0]) {
                throw std::runtime_error("rank " + std::to_string(r) + " is in a " +
                                         shared_.collectives[r] + " while rank 0 is in a " +
                                         shared_.collectives[0]);
            }
        }
        std::invoke_result_t<Read, const void*, std::int64_t> out;
        for (std::size_t r = 0; r < shared_.posted.size(); ++r) {
            auto part = read(shared_.posted[r], shared_.counts[r]);
            out.insert(out.end(), part.begin(), part.end());
        }
        meet(false);
        return out;
    }

    /// Waits for every rank. `entering` a collective: no rank may have returned (a rank returns
    /// only after the last collective's second meeting, so it cannot race this check).
    void meet(bool entering) {
        shared_.meet.arrive_and_wait();
        if (shared_.broken) throw std::runtime_error("another rank failed");
        if (entering && shared_.departed) {
            throw std::runtime_error(
                "rank " + std::to_string(rank_) +
                " is in a collective that another rank, which has returned, never made");
        }
    }

    template <typename T>
    void sum_in_rank_order(T* values, std::int64_t count) {
        const std::vector<T> all =
            gather("sum of " + std::to_string(count), values, count, copy<T>);
        for (std::int64_t i = 0; i < count; ++i) {
            double total = 0.0;
            for (int r = 0; r < size(); ++r) total += all[r * count + i];
            values[i] = static_cast<T>(total);
        }
    }

    Shared& shared_;
    int rank_;
};

ThreadRanks::ThreadRanks(int size) : shared_(std::make_unique<Shared>(size)) {
    for (int r = 0; r < size; ++r) ranks_.push_back(std::make_unique<Rank>(*shared_, r));
}

ThreadRanks::~ThreadRanks() = default;

void ThreadRanks::run(const std::function<void(Communicator&)>& body) {
    std::exception_ptr first;  ///< the error of the rank that failed first
    std::mutex first_mutex;
    std::vector<std::thread> threads;
    for (std::size_t r = 0; r < ranks_.size(); ++r) {
        threads.emplace_back([&, r] {
            try {
                body(*ranks_[r]);
                shared_->departed = true;
                shared_->meet.arrive_and_drop();
            } catch (...) {
                if (!shared_->broken.exchange(true)) {
                    const std::lock_guard<std::mutex> lock(first_mutex);
                    first = std::current_exception();
                }
                shared_->meet.arrive_and_drop();  // the others must not wait for this rank
            }
        });
    }
    for (auto& t : threads) t.join();
    if (first) std::rethrow_exception(first);
}

}  // namespace dlctl::test
