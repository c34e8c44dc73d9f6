#include "dlctl/parallel/communicator.h"

#include <fmt/format.h>

#include "dlctl/core/build_info.h"
#include "dlctl/core/error.h"
#include "dlctl/core/launch.h"
#include "dlctl/core/module_loader.h"
#include "dlctl/parallel/mpi_module.h"

namespace dlctl {

namespace {

class SingleProcess final : public Communicator {
  public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void sum(float*, std::int64_t) override {}
    void sum(double*, std::int64_t) override {}
    bool any(bool flag) override { return flag; }
    void broadcast(float*, std::int64_t) override {}
    std::vector<float> concatenate(const float* values, std::int64_t count) override {
        return {values, values + count};
    }
    std::vector<std::uint32_t> concatenate(const std::uint32_t* values,
                                           std::int64_t count) override {
        return {values, values + count};
    }
    std::vector<float> exchange(const float* values,
                                const std::vector<std::int64_t>& counts) override {
        return {values, values + counts.at(0)};
    }
    std::vector<std::string> gather_text(const std::string& text) override { return {text}; }

  protected:
    void abort_every_rank(int) override {}
};

}  // namespace

std::unique_ptr<Communicator> single_process() { return std::make_unique<SingleProcess>(); }

std::unique_ptr<Communicator> join_launched_ranks() {
    const auto launch = parallel_launch();
    if (!launch) return single_process();
    const std::string started = fmt::format("dlctl train was started as one of {} ranks ({}={})",
                                            launch->ranks, launch->variable, launch->ranks);
    if (!build_info().mpi) {
        throw UsageError(started +
                             ", but this build has no MPI, so each rank would train the "
                             "whole model alone",
                         "rebuild with Debian's libopenmpi-dev installed (-DDLCTL_MPI=ON), or "
                         "start one process (mpirun -np 1, srun --ntasks=1)");
    }
    std::string problems;
    void* symbol = load_module_symbol(kMpiModule, kMpiModuleEnv, kMpiModuleEntry, problems);
    if (symbol == nullptr) {
        throw UsageError(
            fmt::format("{}, but the MPI module {} did not load{}", started, kMpiModule, problems),
            fmt::format("keep {} beside the dlctl binary, or set ${} to its path", kMpiModule,
                        kMpiModuleEnv));
    }
    char error[512] = {};
    std::unique_ptr<Communicator> world(
        reinterpret_cast<MpiModuleEntry>(symbol)(error, sizeof error));
    if (!world) throw UsageError(fmt::format("{}, but MPI did not start: {}", started, error));
    if (world->size() != launch->ranks) {
        throw UsageError(
            fmt::format("{}, but MPI sees {} rank{}: the launcher is not the MPI dlctl was built "
                        "with, so each rank would train the whole model alone",
                        started, world->size(), world->size() == 1 ? "" : "s"),
            "start dlctl with the mpirun of the MPI it was built with (Debian's openmpi-bin), or "
            "under Slurm with srun --mpi=pmix");
    }
    return world;
}

}  // namespace dlctl
