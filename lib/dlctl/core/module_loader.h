#pragma once

#include <string>

namespace dlctl {

/// A symbol of a module (a shared library dlctl loads only when it needs it, such as
/// libdlctl_cuda.so): the first of $`env`, the executable's directory and ../bin and ../lib from
/// it (test executables live in build/tests, modules in build/bin) that loads and has `symbol`.
/// Returns null and says in `problems` what went wrong where, or that no module was found.
void* load_module_symbol(const char* module,
                         const char* env,
                         const char* symbol,
                         std::string& problems);

}  // namespace dlctl
