#include "support/backends.h"

#include <catch2/catch.hpp>

#include "dlctl/backend/gpu_info.h"

namespace dlctl::test {

std::vector<TestBackend> backends_present(int cpu_threads) {
    std::vector<TestBackend> out;
    out.push_back({"cpu", make_backend({DeviceKind::kCpu, 0}, cpu_threads)});
    if (!gpu_inventory().gpus.empty()) {
        out.push_back({"cuda:0", make_backend({DeviceKind::kCuda, 0})});
    }
    return out;
}

Device device_under_test() {
    const int devices = gpu_inventory().gpus.empty() ? 1 : 2;
    const int index = GENERATE_COPY(range(0, devices));
    const Device device = index == 0 ? Device{DeviceKind::kCpu, 0} : Device{DeviceKind::kCuda, 0};
    UNSCOPED_INFO("device " << to_string(device));
    return device;
}

std::vector<float> to_host(Backend& backend, const Tensor& t) {
    std::vector<float> out(static_cast<std::size_t>(t.size()));
    backend.download(t, out.data());
    return out;
}

Buffer to_device(Backend& backend, const std::vector<float>& values) {
    const auto n = static_cast<std::int64_t>(values.size());
    Buffer buffer = backend.allocate(n);
    backend.upload(values.data(), buffer.view(n, 1));
    return buffer;
}

}  // namespace dlctl::test
