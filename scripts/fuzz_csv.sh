#!/usr/bin/env bash
# Builds the CSV reader's libFuzzer target with clang (AddressSanitizer + UBSan) and fuzzes it for
# a bounded time, starting from the bundled data files. Any crash, hang or sanitizer report fails.
# Usage: scripts/fuzz_csv.sh [SECONDS]      (exits 77, "skipped", without clang's libFuzzer)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}

if ! command -v clang++ >/dev/null; then
    echo "skipped: clang++ is not installed"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Ilib)
if ! printf '#include <cstddef>\n#include <cstdint>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' |
    clang++ "${flags[@]}" -x c++ - -o "$work/probe" 2>/dev/null; then
    echo "skipped: clang++ has no libFuzzer runtime (Debian: libclang-rt-14-dev)"
    exit 77
fi
clang++ "${flags[@]}" tests/fuzz/fuzz_csv.cpp lib/dlctl/data/csv_fields.cpp \
    lib/dlctl/data/csv_reader.cpp lib/dlctl/data/csv_rows.cpp lib/dlctl/data/csv_parallel.cpp lib/dlctl/data/table.cpp lib/dlctl/core/error.cpp \
    -lfmt -o "$work/fuzz_csv"
mkdir -p "$work/corpus"
for f in data/*.csv; do head -c 2000 "$f" > "$work/corpus/$(basename "$f")"; done
"$work/fuzz_csv" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
    "$work/corpus" 2>&1 | tail -n 12
echo "fuzzing passed: no crash in ${seconds}s"
