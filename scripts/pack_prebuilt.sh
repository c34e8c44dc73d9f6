#!/usr/bin/env bash
# Packs a CUDA build of dlctl for a GPU machine that has a CUDA driver but not this project's
# packages (Eigen, OpenBLAS, yaml-cpp, ...), to be checked there with scripts/gpu_check.sh
# --prebuilt. The archive holds bin/dlctl, bin/libdlctl_cuda.so, bin/libdlctl_onnx.so, the test
# executables that gpu_check.sh runs, and in lib/ every shared library they load except the C
# and C++ runtimes and CUDA's own libraries, which the GPU machine provides.
#
#   cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLCTL_CUDA=ON \
#       -DDLCTL_NATIVE_ARCH=OFF -DCMAKE_CUDA_ARCHITECTURES=90 && cmake --build build-gpu
#   scripts/pack_prebuilt.sh build-gpu dlctl-gpu.tar.gz
#   # on the GPU machine, in a checkout of the same commit:
#   mkdir -p build-gpu && tar xzf dlctl-gpu.tar.gz -C build-gpu
#   scripts/gpu_check.sh --prebuilt build-gpu
#
# DLCTL_NATIVE_ARCH=OFF keeps the binary off instructions the other machine's CPU may lack.
# Usage: scripts/pack_prebuilt.sh BUILD_DIR ARCHIVE.tar.gz      Exit status: 0; 2 bad usage.
set -euo pipefail

if [ $# -ne 2 ] || [ ! -x "$1/bin/dlctl" ]; then
    echo "usage: scripts/pack_prebuilt.sh BUILD_DIR ARCHIVE.tar.gz (BUILD_DIR/bin/dlctl must exist)" >&2
    exit 2
fi
build=$1
archive=$(realpath -m "$2")
if [ ! -f "$build/bin/libdlctl_cuda.so" ]; then
    echo "pack_prebuilt.sh: $build has no bin/libdlctl_cuda.so: configure it with -DDLCTL_CUDA=ON" >&2
    exit 2
fi
stage=$(mktemp -d "${TMPDIR:-/tmp}/dlctl-pack.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/tests" "$stage/lib"

cp "$build/bin/dlctl" "$build/bin/libdlctl_cuda.so" "$build/bin/libdlctl_onnx.so" "$stage/bin/"
for test in dlctl_gpu_tests dlctl_unit_tests; do
    if [ -x "$build/tests/$test" ]; then cp "$build/tests/$test" "$stage/tests/"; fi
done

# The libraries the GPU machine is expected to have: glibc, the GCC runtimes, CUDA's.
provided='^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libcuda|libcudart|libcublas|libcublasLt)\.so'
ldd "$stage"/bin/* "$stage"/tests/* | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | sort -u |
    while read -r name path; do
        if ! grep -Eq "$provided" <<< "$name"; then cp -L "$path" "$stage/lib/$name"; fi
    done

tar czf "$archive" -C "$stage" .
echo "packed $(find "$stage" -type f | wc -l) files ($(du -sh "$archive" | cut -f1)) into $archive:"
(cd "$stage" && find . -type f | sort | sed 's|^\./|  |')
