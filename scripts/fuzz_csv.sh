#!/usr/bin/env bash
# Builds the CSV reader's libFuzzer target with clang (AddressSanitizer + UBSan) and fuzzes it for
# a bounded time, starting from the bundled data files. Any crash, hang or sanitizer report fails.
# Usage: scripts/fuzz_csv.sh [SECONDS]      (exits 77, "skipped", without clang's libFuzzer)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}

source scripts/fuzz_setup.sh  # work, flags; exits 77 without libFuzzer
clang++ "${flags[@]}" tests/fuzz/fuzz_csv.cpp lib/dlctl/data/csv_fields.cpp \
    lib/dlctl/data/csv_reader.cpp lib/dlctl/data/csv_rows.cpp lib/dlctl/data/csv_parallel.cpp lib/dlctl/data/table.cpp lib/dlctl/core/error.cpp \
    lib/dlctl/data/csv_numeric_row.cpp lib/dlctl/data/column_arena.cpp lib/dlctl/data/file_window.cpp \
    -lfmt -o "$work/fuzz_csv"
mkdir -p "$work/corpus"
for f in data/*.csv; do head -c 2000 "$f" > "$work/corpus/$(basename "$f")"; done
"$work/fuzz_csv" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
    "$work/corpus" 2>&1 | tail -n 12
echo "fuzzing passed: no crash in ${seconds}s"
