#pragma once

#include <string>

namespace dlctl {

/// Which kernels the CPU backend's matrix products run on.
struct BlasInfo {
    std::string core;  ///< OpenBLAS's choice for this CPU, e.g. "SkylakeX", "Haswell", "Prescott"
    /// When OpenBLAS chose older kernels than the CPU runs (it does not know every CPU model, e.g.
    /// a virtual machine's generic one) and OPENBLAS_CORETYPE is unset: the value to set it to
    /// ("SkylakeX" with AVX-512, "Haswell" with AVX2); else empty.
    std::string better_core;
};

BlasInfo blas_info();

}  // namespace dlctl
