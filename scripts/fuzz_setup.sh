# Sourced by the scripts/fuzz_*.sh scripts: exits 77 ("skipped") unless clang++ can build
# libFuzzer targets, and sets `work` (a temporary directory removed on exit) and `flags` (clang
# flags for a fuzz target with AddressSanitizer + UBSan).
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
