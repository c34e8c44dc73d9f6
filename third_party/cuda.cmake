# Resolves DLCTL_CUDA (AUTO | ON | OFF) into DLCTL_WITH_CUDA and says which it chose.
string(TOUPPER "${DLCTL_CUDA}" _dlctl_cuda)
if(NOT _dlctl_cuda MATCHES "^(AUTO|ON|OFF)$")
    message(FATAL_ERROR "DLCTL_CUDA must be AUTO, ON or OFF (got '${DLCTL_CUDA}')")
endif()

set(DLCTL_WITH_CUDA OFF)
if(_dlctl_cuda STREQUAL "OFF")
    message(STATUS "dlctl: CUDA backend OFF (DLCTL_CUDA=OFF)")
else()
    include(CheckLanguage)
    check_language(CUDA)
    if(CMAKE_CUDA_COMPILER)
        if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
            # Ampere and Hopper data-centre GPUs; override with -DCMAKE_CUDA_ARCHITECTURES=...
            set(CMAKE_CUDA_ARCHITECTURES 80 90)
        endif()
        enable_language(CUDA)
        # CMake 3.25 knows nvcc's flags only up to C++17; the backend headers are C++20.
        if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
            set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
            set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
        endif()
        find_package(CUDAToolkit REQUIRED)
        set(DLCTL_WITH_CUDA ON)
        message(STATUS "dlctl: CUDA backend ON (toolkit ${CUDAToolkit_VERSION}, "
                       "architectures ${CMAKE_CUDA_ARCHITECTURES})")
    elseif(_dlctl_cuda STREQUAL "ON")
        message(FATAL_ERROR "DLCTL_CUDA=ON but no CUDA toolkit (nvcc) was found; "
                            "install one or configure with -DDLCTL_CUDA=AUTO or OFF")
    else()
        message(STATUS "dlctl: CUDA backend OFF (DLCTL_CUDA=AUTO and no CUDA toolkit found)")
    endif()
endif()
