# OpenBLAS (Debian: libopenblas-openmp-dev): the GEMMs of the CPU backend, called through its
# CBLAS interface. The OpenMP build is preferred: its threads are the OpenMP threads the backend
# already sizes with train.threads. Defines the imported target OpenBLAS::OpenBLAS, whose include
# directory holds the cblas.h of the same build (not Debian's alternatives cblas.h, which may
# belong to another BLAS).
foreach(_build openblas-openmp openblas-pthread)
    if(NOT OpenBLAS_LIBRARY)
        find_library(OpenBLAS_LIBRARY NAMES openblas
                     PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/${_build} NO_DEFAULT_PATH)
        find_path(OpenBLAS_INCLUDE_DIR cblas.h
                  PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/${_build} NO_DEFAULT_PATH)
    endif()
endforeach()
if(NOT OpenBLAS_LIBRARY)  # other distributions: the cblas.h beside OpenBLAS's own config header
    find_library(OpenBLAS_LIBRARY NAMES openblas)
    find_path(OpenBLAS_INCLUDE_DIR openblas_config.h PATH_SUFFIXES openblas)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OpenBLAS REQUIRED_VARS OpenBLAS_LIBRARY OpenBLAS_INCLUDE_DIR)

if(OpenBLAS_FOUND AND NOT TARGET OpenBLAS::OpenBLAS)
    add_library(OpenBLAS::OpenBLAS UNKNOWN IMPORTED)
    set_target_properties(OpenBLAS::OpenBLAS PROPERTIES
        IMPORTED_LOCATION "${OpenBLAS_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${OpenBLAS_INCLUDE_DIR}")
endif()
