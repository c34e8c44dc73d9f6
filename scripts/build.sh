#!/usr/bin/env bash
# Configures and builds dlctl with CMake + Ninja.
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake -D options...] [-- ninja targets...]
# BUILD_DIR defaults to build/. DLCTL_CUDA=AUTO unless given, e.g. -DDLCTL_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build}
shift || true
cmake_args=()
targets=()
while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; targets=("$@"); break; fi
    cmake_args+=("$1"); shift
done

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-Release}" \
    "${cmake_args[@]}" >&2
cmake --build "$build_dir" ${targets[@]+--target "${targets[@]}"} >&2
