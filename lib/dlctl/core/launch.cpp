#include "dlctl/core/launch.h"

#include <cstdlib>

namespace dlctl {

std::optional<ParallelLaunch> parallel_launch() {
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"}) {
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

}  // namespace dlctl
