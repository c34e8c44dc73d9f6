#include "dlctl/train/rank_tensors.h"

#include <chrono>

namespace dlctl {

RankTensors::RankTensors(Communicator& ranks, Backend& backend)
    : ranks_(ranks),
      backend_(backend),
      on_host_(backend.device().kind == DeviceKind::kCpu),
      device_(backend.join_ranks(ranks)) {}

std::string RankTensors::describe() const {
    if (device_) return "gradients summed by the GPUs (NCCL)";
    if (on_host_) return "gradients summed in rank order";
    return "gradients summed in rank order through host memory (no NCCL, or ranks share a GPU)";
}

float* RankTensors::host_copy(const Tensor& t) {
    if (on_host_) return t.data;
    staging_.resize(static_cast<std::size_t>(t.size()));
    backend_.download(t, staging_.data());
    return staging_.data();
}

void RankTensors::back_to_device(const Tensor& t) {
    if (!on_host_) backend_.upload(staging_.data(), t);
}

void RankTensors::sum(const Tensor& t) {
    const auto start = std::chrono::steady_clock::now();
    if (device_) {
        device_->sum(t);
    } else {
        ranks_.sum(host_copy(t), t.size());
        back_to_device(t);
    }
    sum_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void RankTensors::broadcast(const Tensor& t) {
    if (device_) {
        device_->broadcast(t);
        return;
    }
    ranks_.broadcast(host_copy(t), t.size());
    back_to_device(t);
}

}  // namespace dlctl
