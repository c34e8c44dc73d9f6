# Resolves DLCTL_MPI (AUTO | ON | OFF) into DLCTL_WITH_MPI and says which it chose: data-parallel
# training over MPI (Debian's libopenmpi-dev), in the module bin/libdlctl_mpi.so.
string(TOUPPER "${DLCTL_MPI}" _dlctl_mpi)
if(NOT _dlctl_mpi MATCHES "^(AUTO|ON|OFF)$")
    message(FATAL_ERROR "DLCTL_MPI must be AUTO, ON or OFF (got '${DLCTL_MPI}')")
endif()

set(DLCTL_WITH_MPI OFF)
if(_dlctl_mpi STREQUAL "OFF")
    message(STATUS "dlctl: MPI data-parallel training OFF (DLCTL_MPI=OFF)")
else()
    set(MPI_CXX_SKIP_MPICXX TRUE)  # the C API, used from C++; not MPI's deprecated C++ API
    find_package(MPI COMPONENTS CXX QUIET)
    if(MPI_CXX_FOUND)
        set(DLCTL_WITH_MPI ON)
        message(STATUS "dlctl: MPI data-parallel training ON (MPI ${MPI_CXX_VERSION}, "
                       "${MPI_mpi_LIBRARY})")
    elseif(_dlctl_mpi STREQUAL "ON")
        message(FATAL_ERROR "DLCTL_MPI=ON but no MPI was found; install Debian's libopenmpi-dev "
                            "or configure with -DDLCTL_MPI=AUTO or OFF")
    else()
        message(STATUS "dlctl: MPI data-parallel training OFF (DLCTL_MPI=AUTO and no MPI found)")
    endif()
endif()
