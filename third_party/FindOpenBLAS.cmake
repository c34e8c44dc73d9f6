# OpenBLAS (Debian: libopenblas-openmp-dev): the GEMMs of the CPU backend, called through its
# CBLAS interface. The OpenMP build is preferred: its threads are the OpenMP threads the backend
# already sizes with train.threads. Defines the imported target OpenBLAS::OpenBLAS, whose include
# directory holds the cblas.h of the same build.
set(_openblas_openmp /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
find_library(OpenBLAS_LIBRARY NAMES openblas PATHS ${_openblas_openmp} NO_DEFAULT_PATH)
if(OpenBLAS_LIBRARY)
    find_path(OpenBLAS_INCLUDE_DIR cblas.h
              PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp NO_DEFAULT_PATH)
else()
    find_library(OpenBLAS_LIBRARY NAMES openblas)
    find_path(OpenBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OpenBLAS REQUIRED_VARS OpenBLAS_LIBRARY OpenBLAS_INCLUDE_DIR)

if(OpenBLAS_FOUND AND NOT TARGET OpenBLAS::OpenBLAS)
    add_library(OpenBLAS::OpenBLAS UNKNOWN IMPORTED)
    set_target_properties(OpenBLAS::OpenBLAS PROPERTIES
        IMPORTED_LOCATION "${OpenBLAS_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${OpenBLAS_INCLUDE_DIR}")
endif()
