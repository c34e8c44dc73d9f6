#!/usr/bin/env bash
# Installs the Debian packages dlctl needs, builds dlctl and its tests, and runs them with CTest.
# Usage: scripts/test.sh             Release build in build/ (CUDA backend when a toolkit exists)
#        scripts/test.sh --sanitize  AddressSanitizer + UBSan build in build-asan/, CUDA and MPI off
#                                    (Open MPI's own allocations would fail the leak check; this
#                                    build's tests check instead that a build without MPI refuses
#                                    a multi-rank launch)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
scripts/python_test_deps.sh
if [ "${1:-}" = "--sanitize" ]; then
    build_dir=build-asan
    CMAKE_BUILD_TYPE=Debug scripts/build.sh "$build_dir" -DDLCTL_SANITIZE=ON -DDLCTL_CUDA=OFF -DDLCTL_MPI=OFF
    # Any sanitizer report fails the test that triggered it (and so the run).
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
else
    build_dir=build
    scripts/build.sh "$build_dir"
fi
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
