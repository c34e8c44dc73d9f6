// CudaBackend::join_ranks: NCCL between the ranks' GPUs, or null (sums through host memory) where
// this module was built without NCCL's header, libnccl.so.2 does not load, or ranks share a GPU
// (NCCL needs one GPU a rank). NCCL (over 200 MB) is loaded here, by GPU ranks only: a GPU run on
// one process never maps it.
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>
#include <type_traits>

#include "dlctl/backend/cuda/cuda_backend.h"
#include "dlctl/backend/cuda/cuda_check.h"
#include "dlctl/core/error.h"
#include "dlctl/parallel/communicator.h"

#if DLCTL_WITH_NCCL
#include <nccl.h>
#endif

namespace dlctl {

namespace {

/// This rank's GPU as "host/PCI bus id": ranks that name the same one share a GPU.
std::string gpu_identity(int index) {
    char bus[64] = {};
    DLCTL_CUDA_CHECK(cudaDeviceGetPCIBusId(bus, sizeof bus, index));
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    return std::string(host) + "/" + bus;
}

#if DLCTL_WITH_NCCL

/// The NCCL calls dlctl makes, from libnccl.so.2 loaded at run time.
struct NcclLibrary {
    decltype(&ncclGetUniqueId) get_unique_id = nullptr;
    decltype(&ncclCommInitRank) init_rank = nullptr;
    decltype(&ncclCommDestroy) destroy = nullptr;
    decltype(&ncclAllReduce) all_reduce = nullptr;
    decltype(&ncclBroadcast) broadcast = nullptr;
    decltype(&ncclGetErrorString) error_string = nullptr;

    /// The library, or null when it does not load or lacks a call.
    static const NcclLibrary* load() {
        static const NcclLibrary* loaded = []() -> const NcclLibrary* {
            void* handle = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
            if (handle == nullptr) return nullptr;
            static NcclLibrary library;
            const auto bind = [handle](auto& call, const char* name) {
                call =
                    reinterpret_cast<std::remove_reference_t<decltype(call)>>(dlsym(handle, name));
                return call != nullptr;
            };
            const bool complete = bind(library.get_unique_id, "ncclGetUniqueId") &&
                                  bind(library.init_rank, "ncclCommInitRank") &&
                                  bind(library.destroy, "ncclCommDestroy") &&
                                  bind(library.all_reduce, "ncclAllReduce") &&
                                  bind(library.broadcast, "ncclBroadcast") &&
                                  bind(library.error_string, "ncclGetErrorString");
            return complete ? &library : nullptr;
        }();
        return loaded;
    }

    void check(ncclResult_t status, const char* call) const {
        if (status != ncclSuccess) {
            throw DeviceError(fmt::format("NCCL: {} failed: {}", call, error_string(status)));
        }
    }
};

class NcclCollectives final : public DeviceCollectives {
  public:
    NcclCollectives(const NcclLibrary& nccl, Communicator& ranks, int index, cudaStream_t stream)
        : nccl_(nccl), stream_(stream) {
        ncclUniqueId id{};
        if (ranks.leads()) nccl_.check(nccl_.get_unique_id(&id), "ncclGetUniqueId");
        const std::string mine =
            ranks.leads() ? std::string(reinterpret_cast<const char*>(&id), sizeof id) : "";
        const std::string shared = ranks.gather_text(mine)[0];
        DLCTL_CHECK(shared.size() == sizeof id);
        shared.copy(reinterpret_cast<char*>(&id), sizeof id);
        DLCTL_CUDA_CHECK(cudaSetDevice(index));
        nccl_.check(nccl_.init_rank(&comm_, ranks.size(), id, ranks.rank()), "ncclCommInitRank");
    }
    ~NcclCollectives() override { nccl_.destroy(comm_); }

    void sum(const Tensor& t) override {
        nccl_.check(nccl_.all_reduce(t.data, t.data, static_cast<std::size_t>(t.size()), ncclFloat,
                                     ncclSum, comm_, stream_),
                    "ncclAllReduce");
    }
    void broadcast(const Tensor& t) override {
        nccl_.check(nccl_.broadcast(t.data, t.data, static_cast<std::size_t>(t.size()), ncclFloat,
                                    0, comm_, stream_),
                    "ncclBroadcast");
    }

  private:
    const NcclLibrary& nccl_;
    ncclComm_t comm_ = nullptr;
    cudaStream_t stream_;
};

#endif

}  // namespace

std::unique_ptr<DeviceCollectives> CudaBackend::join_ranks(Communicator& ranks) {
    // The same collectives on every rank, whether or not its module has NCCL: all ranks take
    // NCCL, or none.
    const std::vector<std::string> gpus = ranks.gather_text(gpu_identity(index_));
    const bool shared_gpu = std::set<std::string>(gpus.begin(), gpus.end()).size() < gpus.size();
#if DLCTL_WITH_NCCL
    const NcclLibrary* nccl = NcclLibrary::load();
#else
    const void* nccl = nullptr;
#endif
    const std::vector<std::string> loaded = ranks.gather_text(nccl != nullptr ? "1" : "0");
    const bool everywhere =
        std::all_of(loaded.begin(), loaded.end(), [](const std::string& l) { return l == "1"; });
    if (shared_gpu || !everywhere) return nullptr;
#if DLCTL_WITH_NCCL
    return std::make_unique<NcclCollectives>(*nccl, ranks, index_, stream_);
#else
    return nullptr;  // not reached: without NCCL no rank has it
#endif
}

}  // namespace dlctl
