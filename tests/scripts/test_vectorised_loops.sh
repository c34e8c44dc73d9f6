#!/bin/sh
# CTest: the optimizer's per-element loops in the CPU backend library are vectorised (packed
# "ps" instructions, not only scalar "ss" ones). The tests check what the loops compute, not how
# fast; a refactor (d51317b) once left the Adam loop scalar with every test passing, and training
# at batch 32 ran 2.5 times slower. Registered for optimised x86-64 builds only.
# Usage: tests/scripts/test_vectorised_loops.sh OBJDUMP LIBRARY
set -eu
objdump=$1
library=$2
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
"$objdump" -d -C --no-show-raw-insn "$library" >"$listing"

# check FUNCTION REGEX WHAT: some instruction of FUNCTION (or of a clone GCC made of it) matches
# REGEX.
failures=0
check() {
    result=$(awk -v name="::$1(" -v pattern="$2" '
        /^[0-9a-f]+ <.*>:$/ { inside = index($0, name) > 0; if (inside) seen = 1; next }
        inside && $0 ~ pattern { found = 1 }
        END { print (seen ? (found ? "ok" : "scalar") : "missing") }' "$listing")
    case $result in
    ok) echo "ok: $1 has $3" ;;
    scalar)
        echo "FAIL: $1 has no $3 (/$2/): the loop is not vectorised" >&2
        failures=$((failures + 1))
        ;;
    missing)
        echo "FAIL: no function $1 in $library (inlined or renamed?)" >&2
        failures=$((failures + 1))
        ;;
    esac
}
check adam_range 'v?sqrtps' "packed square roots"
check adam_range 'v?divps' "packed divisions"
check rmsprop_range 'v?sqrtps' "packed square roots"
check adagrad_range 'v?sqrtps' "packed square roots"
check sgd_range 'v?(mul|fn?madd[0-9]*|fn?msub[0-9]*)ps' "packed multiplies"
[ "$failures" -eq 0 ]
