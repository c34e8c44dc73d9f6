#!/usr/bin/env bash
# Builds the checkpoint reader's libFuzzer target with clang (AddressSanitizer + UBSan) and
# fuzzes it for a bounded time, starting from a checkpoint the dlctl binary writes.
# Usage: scripts/fuzz_checkpoint.sh DLCTL_BINARY [SECONDS]   (exits 77, "skipped", without
# clang's libFuzzer runtime)
set -euo pipefail
cd "$(dirname "$0")/.."
dlctl=$1
seconds=${2:-15}

source scripts/fuzz_setup.sh  # work, flags; exits 77 without libFuzzer
# The reader with what it needs to parse a saved spec (config) and preprocessor (data).
sources=(tests/fuzz/fuzz_checkpoint.cpp lib/dlctl/checkpoint/checkpoint.cpp
    lib/dlctl/io/safetensors.cpp lib/dlctl/io/staged_file.cpp lib/dlctl/io/atomic_file.cpp
    lib/dlctl/io/temporary_files.cpp lib/dlctl/io/metrics_csv.cpp
    lib/dlctl/core/crc32.cpp lib/dlctl/core/whole_file.cpp lib/dlctl/core/process_memory.cpp
    lib/dlctl/core/error.cpp lib/dlctl/core/strings.cpp lib/dlctl/core/device.cpp
    lib/dlctl/data/preprocessor.cpp lib/dlctl/data/numeric_maps.cpp
    lib/dlctl/data/table.cpp lib/dlctl/config/*.cpp)
clang++ "${flags[@]}" "${sources[@]}" -lyaml-cpp -lfmt -lz -o "$work/fuzz_checkpoint"
mkdir -p "$work/corpus"
"$dlctl" train configs/breast_cancer.yaml -q --set train.epochs=1 --run-dir "$work/run" >/dev/null
cp "$work/run/checkpoints/last.safetensors" "$work/corpus/seed.safetensors"
# A second seed with quantile knots, so the mutations reach their checks too.
"$dlctl" train configs/breast_cancer.yaml -q --set train.epochs=1 --set data.normalize=quantile \
    --run-dir "$work/run-quantile" >/dev/null
cp "$work/run-quantile/checkpoints/last.safetensors" "$work/corpus/quantile.safetensors"
"$work/fuzz_checkpoint" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -print_final_stats=1 "$work/corpus" 2>&1 | tail -n 12
echo "fuzzing passed: no crash in ${seconds}s"
