#include "dlctl/core/launch.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <thread>

namespace dlctl {

namespace {

/// The first of `variables` that holds a count above 1, and its name.
std::optional<ParallelLaunch> first_count(std::initializer_list<const char*> variables) {
    for (const char* variable : variables) {
        const char* value = std::getenv(variable);
        if (value == nullptr) continue;
        char* end = nullptr;
        const long ranks = std::strtol(value, &end, 10);
        if (end != value && *end == '\0' && ranks > 1) {
            return ParallelLaunch{static_cast<int>(ranks), variable};
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<ParallelLaunch> parallel_launch() {
    return first_count({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"});
}

int cpus_of_this_process() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int rank_on_this_machine() {
    for (const char* variable :
         {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}) {
        const char* value = std::getenv(variable);
        if (value == nullptr) continue;
        char* end = nullptr;
        const long rank = std::strtol(value, &end, 10);
        if (end != value && *end == '\0' && rank >= 0) return static_cast<int>(rank);
    }
    return 0;
}

int ranks_on_this_machine() {
    const auto local =
        first_count({"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"});
    return local ? local->ranks : 1;
}

}  // namespace dlctl
