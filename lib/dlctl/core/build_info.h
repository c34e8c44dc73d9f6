#pragma once

#include <string>

namespace dlctl {

struct BuildInfo {
    std::string version;  ///< semantic version, e.g. "0.1.0"
    std::string
        git_commit;  ///< short hash of the built commit ("-dirty" if modified), or "unknown"
    std::string build_type;  ///< CMAKE_BUILD_TYPE
    bool cuda = false;       ///< whether the CUDA backend was compiled in
    bool mpi = false;        ///< whether data-parallel training over MPI was compiled in
};

const BuildInfo& build_info();

}  // namespace dlctl
