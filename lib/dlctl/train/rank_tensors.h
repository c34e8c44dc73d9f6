#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dlctl/backend/backend.h"
#include "dlctl/core/tensor.h"
#include "dlctl/parallel/communicator.h"

namespace dlctl {

/// The ranks' collectives on tensors in a backend's memory: the device's own where it has them
/// (NCCL between GPUs), else Communicator's, in place on the CPU and through host memory on a
/// GPU.
class RankTensors {
  public:
    /// A collective: every rank constructs it together.
    RankTensors(Communicator& ranks, Backend& backend);
    /// How the sums run, for the log.
    std::string describe() const;

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
    std::unique_ptr<DeviceCollectives> device_;
    std::vector<float> staging_;
    double sum_seconds_ = 0.0;
};

}  // namespace dlctl
