# OpenBLAS (Debian: libopenblas-openmp-dev): the BLAS behind Eigen's matrix products in the CPU
# backend (EIGEN_USE_BLAS). The OpenMP build is preferred: its threads are the OpenMP threads the
# backend already sizes with train.threads. Defines the imported target OpenBLAS::OpenBLAS.
find_library(OpenBLAS_LIBRARY NAMES openblas
             PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp NO_DEFAULT_PATH)
if(NOT OpenBLAS_LIBRARY)
    find_library(OpenBLAS_LIBRARY NAMES openblas)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OpenBLAS REQUIRED_VARS OpenBLAS_LIBRARY)

if(OpenBLAS_FOUND AND NOT TARGET OpenBLAS::OpenBLAS)
    add_library(OpenBLAS::OpenBLAS UNKNOWN IMPORTED)
    set_target_properties(OpenBLAS::OpenBLAS PROPERTIES IMPORTED_LOCATION "${OpenBLAS_LIBRARY}")
endif()
