// How long a cache line takes to go from one CPU to another and back: two threads, each pinned
// to one CPU, hand a counter back and forth. Used by bench_train.py to tell which way a shared
// machine placed its virtual CPUs during a 2-thread measurement (a round trip inside one L3
// cache is about 100 ns on Zen 3; one between two core complexes several times that).
//
//   c++ -O2 -pthread -o core_latency scripts/core_latency.cpp
//   ./core_latency [CPU_A CPU_B [TRIALS]]    # default: the first two allowed CPUs, 5 trials
//
// Prints one JSON object: {"cpus": [a, b], "round_trip_ns": [one per trial]}.

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

constexpr int kRoundsPerTrial = 100000;

alignas(64) std::atomic<int> counter{0};

bool pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

/// Mean round trip in ns: `cpu_a` writes an odd value, `cpu_b` answers with the next even one.
double round_trip_ns(int cpu_a, int cpu_b) {
    counter.store(0);
    std::thread answerer([cpu_b] {
        pin_to(cpu_b);
        for (int i = 0; i < kRoundsPerTrial; ++i) {
            while (counter.load(std::memory_order_acquire) != 2 * i + 1) {
            }
            counter.store(2 * i + 2, std::memory_order_release);
        }
    });
    pin_to(cpu_a);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRoundsPerTrial; ++i) {
        counter.store(2 * i + 1, std::memory_order_release);
        while (counter.load(std::memory_order_acquire) != 2 * i + 2) {
        }
    }
    const std::chrono::duration<double, std::nano> elapsed =
        std::chrono::steady_clock::now() - start;
    answerer.join();
    return elapsed.count() / kRoundsPerTrial;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> cpus;
    if (argc >= 3) {
        cpus = {std::atoi(argv[1]), std::atoi(argv[2])};
    } else {
        cpu_set_t allowed;
        if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
            for (int cpu = 0; cpu < CPU_SETSIZE && cpus.size() < 2; ++cpu) {
                if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
            }
        }
    }
    if (cpus.size() < 2 || cpus[0] == cpus[1]) {
        std::fprintf(stderr, "core_latency: needs two distinct CPUs\n");
        return 2;
    }
    const int trials = argc >= 4 ? std::max(1, std::atoi(argv[3])) : 5;
    std::printf("{\"cpus\": [%d, %d], \"round_trip_ns\": [", cpus[0], cpus[1]);
    for (int t = 0; t < trials; ++t) {
        std::printf("%s%.0f", t > 0 ? ", " : "", round_trip_ns(cpus[0], cpus[1]));
    }
    std::printf("]}\n");
    return 0;
}
