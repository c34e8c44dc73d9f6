#pragma once

#include <optional>
#include <string>

namespace dlctl {

/// How many processes a parallel launcher started this one among, as its environment says:
/// mpirun (OpenMPI's OMPI_COMM_WORLD_SIZE, MPICH's and Slurm's PMI_SIZE) or srun
/// (SLURM_STEP_NUM_TASKS). `variable` names the variable that said it.
struct ParallelLaunch {
    int ranks = 1;
    std::string variable;
};

/// The launch of this process when it is one of several ranks; nullopt for a single process.
std::optional<ParallelLaunch> parallel_launch();

/// How many ranks the launcher started on this machine (OpenMPI's OMPI_COMM_WORLD_LOCAL_SIZE,
/// MPICH's MPI_LOCALNRANKS, Slurm's SLURM_NTASKS_PER_NODE); 1 when none says.
int ranks_on_this_machine();

/// How many CPUs this process may run on (its affinity mask: fewer than the machine's when a
/// launcher bound it to some cores).
int cpus_of_this_process();

/// This rank's place among the ranks on its machine (OMPI_COMM_WORLD_LOCAL_RANK, MPICH's
/// MPI_LOCALRANKID, Slurm's SLURM_LOCALID); 0 when none says.
int rank_on_this_machine();

}  // namespace dlctl
