# Every third-party dependency of dlctl comes from a Debian package; see third_party/README.md.
find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED COMPONENTS CXX)         # libgomp, part of g++: CPU backend threads
find_package(CLI11 2.1 REQUIRED CONFIG)              # libcli11-dev
find_package(yaml-cpp 0.7 REQUIRED CONFIG)           # libyaml-cpp-dev
find_package(fmt REQUIRED CONFIG)                    # libfmt-dev
find_package(spdlog REQUIRED CONFIG)                 # libspdlog-dev
find_package(Eigen3 3.3 REQUIRED NO_MODULE)          # libeigen3-dev
find_package(nlohmann_json 3.10 REQUIRED CONFIG)     # nlohmann-json3-dev
find_package(FastFloat 3 REQUIRED CONFIG)            # libfast-float-dev
find_package(ZLIB REQUIRED)                          # zlib1g-dev: crc32

# fast-cpp-csv-parser (libfccp-dev) is header-only and ships no CMake package.
list(APPEND CMAKE_MODULE_PATH ${CMAKE_CURRENT_LIST_DIR})
find_package(FastCppCsvParser REQUIRED)
find_package(OpenBLAS REQUIRED)                      # libopenblas-openmp-dev: CPU GEMMs
find_package(Protobuf REQUIRED)                      # libprotobuf-dev: the ONNX library's classes
find_package(ONNX REQUIRED CONFIG)                   # libonnx-dev (with libprotobuf-dev): dlctl export

# Debian 12's yaml-cpp config exports the target without a namespace; newer ones use yaml-cpp::yaml-cpp.
if(TARGET yaml-cpp::yaml-cpp)
    set(DLCTL_YAML_TARGET yaml-cpp::yaml-cpp)
else()
    set(DLCTL_YAML_TARGET yaml-cpp)
endif()
