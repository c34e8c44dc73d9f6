#!/bin/sh
# Builds OpenNN (a source tree of github.com/Artelnics/opennn, LGPL-3.0, e.g. commit 13d826be8;
# a benchmark peer only, never part of dlctl's build) and
# bench_opennn for `scripts/bench_train.py --opennn BUILD_DIR/bench_opennn`.
#
#   scripts/opennn/build.sh OPENNN_SOURCE BUILD_DIR
#
# OpenNN's CMake appends -O2 to Release builds and turns CUDA on when it finds nvcc; this builds
# its CPU library as its CMake does (-march=native added) and the driver with the same flags.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 OPENNN_SOURCE BUILD_DIR" >&2
    exit 2
fi
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cmake -S "$src" -B "$out/opennn-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS=-march=native -DCMAKE_CUDA_COMPILER= \
    -DOpenNN_BUILD_TESTS=OFF -DOpenNN_BUILD_EXAMPLES=OFF -DOpenNN_BUILD_BLANK=OFF
ninja -C "$out/opennn-build" opennn
flags="-march=native -O3 -DNDEBUG -Wno-interference-size -fopenmp -O2 -std=c++17"
# shellcheck disable=SC2086
g++ $flags -I"$src/opennn" -c "$here/bench_opennn.cpp" -o "$out/bench_opennn.o"
g++ -fopenmp "$out/bench_opennn.o" -Wl,--whole-archive "$out/opennn-build/opennn/libopennn.a" \
    -Wl,--no-whole-archive -lstdc++fs -o "$out/bench_opennn"
echo "$out/bench_opennn"
