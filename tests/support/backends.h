#pragma once
// The backends a test body runs on: the CPU (the reference) always, and the first GPU when dlctl
// is built with CUDA and one is usable, so that one test body checks every device present.

#include <memory>
#include <string>
#include <vector>

#include "dlctl/backend/backend.h"

namespace dlctl::test {

/// A backend under test and the name its sections carry ("cpu", "cuda:0").
struct TestBackend {
    std::string name;
    std::unique_ptr<Backend> backend;
};

/// The CPU backend (`cpu_threads` threads), then cuda:0 when present.
std::vector<TestBackend> backends_present(int cpu_threads = 1);

/// The device of this run of the calling test case: a Catch generator, so the test case runs
/// once on each device present (the CPU, then cuda:0). Call it once, at the top of the case.
Device device_under_test();

/// A tensor's values in host memory.
std::vector<float> to_host(Backend& backend, const Tensor& t);

/// `values` into a new buffer of `backend`, as a rows × cols tensor (view()).
Buffer to_device(Backend& backend, const std::vector<float>& values);

}  // namespace dlctl::test
