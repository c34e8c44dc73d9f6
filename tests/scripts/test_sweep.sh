#!/bin/sh
# CTest: scripts/sweep.sh expands grids and seeded random samples, runs points in parallel,
# isolates a failing point, skips finished points when run again and ends with the leaderboard.
# Usage: tests/scripts/test_sweep.sh DLCTL_BINARY
set -eu
cd "$(dirname "$0")/../.."
dlctl=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
sweep() { scripts/sweep.sh configs/breast_cancer.yaml --dlctl "$dlctl" "$@"; }

# Grid expansion: 2 x 3 points, readable names.
points=$(sweep --out "$work/g" --grid train.optimizer.lr=0.1,0.01 --grid model.layers.0.units=4,8,16 --dry-run)
[ "$(printf '%s\n' "$points" | wc -l)" -eq 6 ] || fail "grid: expected 6 points, got: $points"
printf '%s\n' "$points" | grep -q '^lr=0.01_units=16 train.optimizer.lr=0.01 model.layers.0.units=16$' ||
    fail "grid: point names: $points"

# Random samples: reproducible with a seed, different with another.
a=$(sweep --out "$work/r" --random 5 --seed 3 --uniform train.optimizer.lr=1e-4:1e-1:log --choice model.layers.0.units=8,16 --dry-run)
b=$(sweep --out "$work/r" --random 5 --seed 3 --uniform train.optimizer.lr=1e-4:1e-1:log --choice model.layers.0.units=8,16 --dry-run)
c=$(sweep --out "$work/r" --random 5 --seed 4 --uniform train.optimizer.lr=1e-4:1e-1:log --choice model.layers.0.units=8,16 --dry-run)
[ "$a" = "$b" ] || fail "random: the same seed gave other points"
[ "$a" != "$c" ] || fail "random: another seed gave the same points"
printf '%s\n' "$a" | awk '{ split($2, kv, "="); if (kv[2] < 1e-4 || kv[2] > 0.1) exit 1 }' ||
    fail "random: a value outside its range: $a"

# A real sweep, 2 at a time, one point invalid (lr -1 is a spec error).
out=$(sweep --out "$work/s" --grid train.optimizer.lr=0.05,-1 --grid model.layers.0.units=4,8 -j 2 \
    -- --set train.epochs=2)
for name in lr=0.05_units=4 lr=0.05_units=8; do
    grep -q '"status": "completed"' "$work/s/$name/summary.json" || fail "$name did not complete"
done
grep -q 'lr=-1_units=4 exit 2' "$work/s/sweep.log" || fail "the failing point's exit code is not recorded"
[ -s "$work/s/logs/lr=-1_units=4.err" ] || fail "the failing point's stderr is not kept"
printf '%s\n' "$out" | grep -q '^rank  run' || fail "no leaderboard at the end: $out"
[ "$(printf '%s\n' "$out" | grep -c completed)" -eq 2 ] || fail "leaderboard rows: $out"

# Run again: finished points are skipped.
again=$(sweep --out "$work/s" --grid train.optimizer.lr=0.05,-1 --grid model.layers.0.units=4,8 -j 2 \
    -- --set train.epochs=2)
printf '%s\n' "$again" | grep -q '^skip lr=0.05_units=4 (finished)$' || fail "not skipped: $again"
# --ntasks: each point trains on two ranks (a build with MPI), or is refused (one without).
if "$dlctl" --version | grep -q 'MPI on' && command -v mpirun >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
    export OMPI_MCA_rmaps_base_oversubscribe=1  # two ranks even on a one-core runner
    sweep --out "$work/n" --ntasks 2 --grid train.optimizer.lr=0.05,0.01 -- --set train.epochs=2 >/dev/null
    for name in lr=0.05 lr=0.01; do
        grep -q '"ranks": 2' "$work/n/$name/summary.json" || fail "--ntasks 2: $name not on 2 ranks"
    done
else
    if sweep --out "$work/n" --ntasks 2 --grid train.epochs=1 2>"$work/n.err"; then code=0; else code=$?; fi
    [ "$code" -eq 2 ] && grep -q 'needs a dlctl built with MPI' "$work/n.err" ||
        fail "--ntasks without MPI: exit $code: $(cat "$work/n.err")"
fi
if sweep --out "$work/n0" --ntasks 0 --grid train.epochs=1 2>"$work/n0.err"; then code=0; else code=$?; fi
[ "$code" -eq 2 ] && grep -q "ntasks takes a count of ranks (got '0')" "$work/n0.err" ||
    fail "--ntasks 0: exit $code: $(cat "$work/n0.err")"

echo "sweep.sh: grid, random, parallel runs, failure isolation and resume-skip work"
