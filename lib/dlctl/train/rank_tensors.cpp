#include "dlctl/train/rank_tensors.h"

#include <chrono>

namespace dlctl {

RankTensors::RankTensors(Communicator& ranks, Backend& backend)
    : ranks_(ranks), backend_(backend), on_host_(backend.device().kind == DeviceKind::kCpu) {}

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
    ranks_.sum(host_copy(t), t.size());
    back_to_device(t);
    sum_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void RankTensors::broadcast(const Tensor& t) {
    ranks_.broadcast(host_copy(t), t.size());
    back_to_device(t);
}

}  // namespace dlctl
