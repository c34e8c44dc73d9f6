#include "dlctl/train/rank_setup.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "dlctl/backend/gpu_info.h"
#include "dlctl/core/crc32.h"
#include "dlctl/core/launch.h"

namespace dlctl {

int threads_of_rank(int threads, const Communicator* ranks) {
    if (threads > 0 || ranks == nullptr || ranks->size() == 1) return threads;
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    const int bound = cpus_of_this_process();
    if (bound < cores) return bound;
    return std::max(1, cores / ranks_on_this_machine());
}

Device device_of_rank(const std::string& device, const Communicator* ranks) {
    Device out = parse_device(device);
    const bool unnumbered = device == "cuda" || device == "auto";
    if (ranks == nullptr || !unnumbered) return out;
    const auto gpus = static_cast<int>(gpu_inventory().gpus.size());
    if (gpus > 0) out.index = rank_on_this_machine() % gpus;
    return out;
}

std::string data_fingerprint(const PreparedData& data) {
    std::uint32_t crc = 0;
    for (const Dataset* d : {&data.train, &data.validation, &data.test}) {
        // On ranks that read their parts of the file, each holds its own block of features.
        const std::vector<float> none;
        for (const std::vector<float>* v :
             {d->rank_block ? &none : &d->features, &d->targets, &d->weights}) {
            crc = crc32({reinterpret_cast<const char*>(v->data()), v->size() * sizeof(float)}, crc);
        }
    }
    return fmt::format("{}/{}/{} rows of {} features, crc32 {:08x}", data.train.n_rows,
                       data.validation.n_rows, data.test.n_rows, data.train.n_features, crc);
}

}  // namespace dlctl
