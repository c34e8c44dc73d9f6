#pragma once

#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/core/tensor.h"
#include "dlctl/parallel/communicator.h"

namespace dlctl {

/// The ranks' collectives on tensors in a backend's memory: in place on the CPU, through host
/// memory on a GPU.
class RankTensors {
  public:
    RankTensors(Communicator& ranks, Backend& backend);

    /// `t` summed over the ranks (Communicator::sum's rank order).
    void sum(const Tensor& t);
    /// Rank 0's `t` on every rank.
    void broadcast(const Tensor& t);
    /// Seconds spent in sum() so far: the allreduce's share of training.
    double sum_seconds() const { return sum_seconds_; }

  private:
    float* host_copy(const Tensor& t);
    void back_to_device(const Tensor& t);

    Communicator& ranks_;
    Backend& backend_;
    bool on_host_;
    std::vector<float> staging_;
    double sum_seconds_ = 0.0;
};

}  // namespace dlctl
