// Loads the CUDA backend module as dlctl does (every symbol resolved now) and finds its factory,
// without calling it: unresolved symbols show on machines without a GPU too.
#include <dlfcn.h>

#include <cstdio>

int main(int argc, char* argv[]) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s libdlctl_cuda.so\n", argv[0]);
        return 2;
    }
    void* module = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
        std::fprintf(stderr, "dlopen failed: %s\n", dlerror());
        return 1;
    }
    if (dlsym(module, "dlctl_create_cuda_backend_v10") == nullptr) {
        std::fprintf(stderr, "no dlctl_create_cuda_backend_v10: %s\n", dlerror());
        return 1;
    }
    std::printf("%s loads and exports dlctl_create_cuda_backend_v10\n", argv[1]);
    return 0;
}
