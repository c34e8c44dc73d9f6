#pragma once

#include <cstddef>

namespace dlctl {

class Communicator;

/// The MPI module: a shared library dlctl loads only when launched as several ranks, so that
/// no other command pays for loading OpenMPI.
inline constexpr const char* kMpiModule = "libdlctl_mpi.so";
inline constexpr const char* kMpiModuleEnv = "DLCTL_MPI_MODULE";
inline constexpr const char* kMpiModuleEntry = "dlctl_join_mpi_world";

/// Starts MPI and returns its world as a Communicator (the caller owns it; its destructor ends
/// MPI), or null with the reason in `error`.
using MpiModuleEntry = Communicator* (*)(char* error, std::size_t error_size);

}  // namespace dlctl
