#!/usr/bin/env bash
# Builds the spec reader's libFuzzer target with clang (AddressSanitizer + UBSan) and fuzzes it
# for a bounded time, starting from the bundled specs. Any crash, hang or sanitizer report fails,
# and so does a resolved spec that does not load again.
# Usage: scripts/fuzz_spec.sh [SECONDS]     (exits 77, "skipped", without clang's libFuzzer)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}

source scripts/fuzz_setup.sh  # work, flags; exits 77 without libFuzzer
clang++ "${flags[@]}" tests/fuzz/fuzz_spec.cpp lib/dlctl/config/*.cpp lib/dlctl/core/error.cpp \
    lib/dlctl/core/strings.cpp lib/dlctl/core/device.cpp lib/dlctl/core/whole_file.cpp \
    lib/dlctl/core/process_memory.cpp \
    -lyaml-cpp -lfmt -o "$work/fuzz_spec"
mkdir -p "$work/corpus"
for f in configs/*.yaml; do printf '\0' | cat - "$f" > "$work/corpus/$(basename "$f")"; done
"$work/fuzz_spec" -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 \
    "$work/corpus" 2>&1 | tail -n 12
echo "fuzzing passed: no crash in ${seconds}s"
