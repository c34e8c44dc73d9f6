# Configures dlctl in a scratch directory with nvcc hidden from PATH and prints CMake's output, so
# a test can check what the DLCTL_CUDA switch does without a CUDA toolkit.
# Usage: cmake -DSOURCE_DIR=... -DSCRATCH=... -DCUDA_MODE=ON|OFF|AUTO|... [-DMPI_MODE=...]
#        -P configure_check.cmake
# (MPI_MODE: the DLCTL_MPI switch instead, with CUDA off; the MPI found where it is installed.)
file(REMOVE_RECURSE "${SCRATCH}")
set(ENV{PATH} "/usr/bin:/bin")
unset(ENV{CUDACXX})
unset(ENV{CUDA_PATH})
set(mpi_switch "")
if(DEFINED MPI_MODE)
    set(mpi_switch "-DDLCTL_MPI=${MPI_MODE}")
endif()
execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${SCRATCH}" -G Ninja
            "-DDLCTL_CUDA=${CUDA_MODE}" ${mpi_switch} -DDLCTL_BUILD_TESTS=OFF
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE result)
message("${out}${err}configure exit code: ${result}")
file(REMOVE_RECURSE "${SCRATCH}")
