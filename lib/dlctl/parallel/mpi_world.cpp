// The MPI module (bin/libdlctl_mpi.so): MPI's world as a Communicator.
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "dlctl/parallel/communicator.h"
#include "dlctl/parallel/mpi_module.h"

namespace dlctl {

namespace {

int checked_int(std::int64_t count) {
    if (count > INT_MAX) throw std::length_error("more than 2^31 values in one MPI call");
    return static_cast<int>(count);
}

template <typename T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<float>() {
    return MPI_FLOAT;
}
template <>
MPI_Datatype mpi_type<double>() {
    return MPI_DOUBLE;
}
template <>
MPI_Datatype mpi_type<std::uint32_t>() {
    return MPI_UINT32_T;
}

class MpiWorld final : public Communicator {
  public:
    MpiWorld() {
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    ~MpiWorld() override {
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (finalized == 0) MPI_Finalize();
    }

    int rank() const override { return rank_; }
    int size() const override { return size_; }
    void sum(float* values, std::int64_t count) override { sum_in_rank_order(values, count); }
    void sum(double* values, std::int64_t count) override { sum_in_rank_order(values, count); }

    bool any(bool flag) override {
        int mine = flag ? 1 : 0, out = 0;
        MPI_Allreduce(&mine, &out, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
        return out != 0;
    }

    void broadcast(float* values, std::int64_t count) override {
        for (std::int64_t done = 0; done < count;) {
            const int part = static_cast<int>(std::min<std::int64_t>(count - done, INT_MAX));
            MPI_Bcast(values + done, part, MPI_FLOAT, 0, MPI_COMM_WORLD);
            done += part;
        }
    }

    std::vector<float> concatenate(const float* values, std::int64_t count) override {
        return concatenate_values(values, count);
    }
    std::vector<std::uint32_t> concatenate(const std::uint32_t* values,
                                           std::int64_t count) override {
        return concatenate_values(values, count);
    }

    std::vector<float> exchange(const float* values,
                                const std::vector<std::int64_t>& counts) override {
        const auto n = static_cast<std::size_t>(size_);
        std::vector<int> send_counts(n), send_offsets(n), recv_counts(n), recv_offsets(n);
        std::int64_t sent = 0;
        for (std::size_t r = 0; r < n; ++r) {
            send_counts[r] = checked_int(counts.at(r));
            send_offsets[r] = checked_int(sent);
            sent += counts[r];
        }
        MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT,
                     MPI_COMM_WORLD);
        std::int64_t received = 0;
        for (std::size_t r = 0; r < n; ++r) {
            recv_offsets[r] = checked_int(received);
            received += recv_counts[r];
        }
        std::vector<float> out(static_cast<std::size_t>(checked_int(received)));
        MPI_Alltoallv(values, send_counts.data(), send_offsets.data(), MPI_FLOAT, out.data(),
                      recv_counts.data(), recv_offsets.data(), MPI_FLOAT, MPI_COMM_WORLD);
        return out;
    }

    std::vector<std::string> gather_text(const std::string& text) override {
        std::vector<int> counts, offsets;
        const std::int64_t total =
            gather_counts(static_cast<std::int64_t>(text.size()), counts, offsets);
        std::string all(static_cast<std::size_t>(total), '\0');
        MPI_Allgatherv(text.data(), checked_int(static_cast<std::int64_t>(text.size())), MPI_CHAR,
                       all.data(), counts.data(), offsets.data(), MPI_CHAR, MPI_COMM_WORLD);
        std::vector<std::string> out;
        for (int r = 0; r < size_; ++r) out.push_back(all.substr(offsets[r], counts[r]));
        return out;
    }

  protected:
    void abort_every_rank(int exit_code) override {
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, exit_code);
    }

  private:
    template <typename T>
    std::vector<T> concatenate_values(const T* values, std::int64_t count) {
        std::vector<int> counts, offsets;
        const std::int64_t total = gather_counts(count, counts, offsets);
        std::vector<T> out(static_cast<std::size_t>(total));
        MPI_Allgatherv(values, checked_int(count), mpi_type<T>(), out.data(), counts.data(),
                       offsets.data(), mpi_type<T>(), MPI_COMM_WORLD);
        return out;
    }

    /// Every rank's `count` into `counts`, their running offsets into `offsets`; the total.
    std::int64_t gather_counts(std::int64_t count,
                               std::vector<int>& counts,
                               std::vector<int>& offsets) const {
        const int mine = checked_int(count);
        counts.assign(static_cast<std::size_t>(size_), 0);
        MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
        offsets.assign(static_cast<std::size_t>(size_), 0);
        std::int64_t total = 0;
        for (int r = 0; r < size_; ++r) {
            offsets[r] = checked_int(total);
            total += counts[r];
        }
        checked_int(total);
        return total;
    }

    /// Rank r sums block r of the vector (every rank's copy of it, in rank order, in double),
    /// then every rank gathers the summed blocks: the volume of a ring allreduce, and the same
    /// bits on every rank whatever MPI's own reduction algorithms would do. The scratch is kept
    /// between calls: a training step allocates nothing.
    template <typename T>
    void sum_in_rank_order(T* values, std::int64_t count) {
        if (size_ == 1 || count == 0) return;
        const auto n = static_cast<std::size_t>(size_);
        counts_.resize(n), offsets_.resize(n), recv_counts_.resize(n), recv_offsets_.resize(n);
        for (std::size_t b = 0; b < n; ++b) {
            offsets_[b] = checked_int(count * static_cast<std::int64_t>(b) / size_);
            counts_[b] =
                checked_int(count * static_cast<std::int64_t>(b + 1) / size_) - offsets_[b];
        }
        const int mine = counts_[static_cast<std::size_t>(rank_)];
        for (std::size_t r = 0; r < n; ++r) {
            recv_counts_[r] = mine;
            recv_offsets_[r] = checked_int(static_cast<std::int64_t>(r) * mine);
        }
        const std::size_t block_values = n * static_cast<std::size_t>(mine);
        if (scratch_.size() < block_values * sizeof(T)) scratch_.resize(block_values * sizeof(T));
        T* blocks = reinterpret_cast<T*>(scratch_.data());  // new[]'s alignment suits T
        MPI_Alltoallv(values, counts_.data(), offsets_.data(), mpi_type<T>(), blocks,
                      recv_counts_.data(), recv_offsets_.data(), mpi_type<T>(), MPI_COMM_WORLD);
        T* own = values + offsets_[static_cast<std::size_t>(rank_)];
        for (int i = 0; i < mine; ++i) {
            double total = 0.0;
            for (std::size_t r = 0; r < n; ++r) total += blocks[r * mine + i];
            own[i] = static_cast<T>(total);
        }
        MPI_Allgatherv(MPI_IN_PLACE, 0, mpi_type<T>(), values, counts_.data(), offsets_.data(),
                       mpi_type<T>(), MPI_COMM_WORLD);
    }

    std::vector<int> counts_, offsets_, recv_counts_, recv_offsets_;
    std::vector<std::byte> scratch_;  ///< every rank's copy of this rank's block
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace

}  // namespace dlctl

extern "C" dlctl::Communicator* dlctl_join_mpi_world(char* error, std::size_t error_size) {
    try {
        int provided = 0;
        // Only the thread that trains calls MPI; OpenMP threads do the arithmetic.
        if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            std::snprintf(error, error_size, "MPI_Init_thread failed");
            return nullptr;
        }
        if (provided < MPI_THREAD_FUNNELED) {
            std::snprintf(error, error_size,
                          "this MPI gives no thread support (MPI_THREAD_FUNNELED), which dlctl's "
                          "OpenMP threads need");
            MPI_Finalize();
            return nullptr;
        }
        return new dlctl::MpiWorld();
    } catch (const std::exception& e) {
        std::snprintf(error, error_size, "%s", e.what());
        return nullptr;
    }
}
