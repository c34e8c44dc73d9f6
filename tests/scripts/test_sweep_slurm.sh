#!/bin/sh
# CTest: scripts/sweep.sh --slurm writes a job array that trains every point into the sweep
# layout. The script is checked by running its tasks as Slurm would (SLURM_ARRAY_TASK_ID set),
# then, where Slurm is installed and this runs as root, on a real single-node Slurm cluster.
# Usage: tests/scripts/test_sweep_slurm.sh DLCTL_BINARY
set -eu
cd "$(dirname "$0")/../.."
dlctl=$1
work=$(mktemp -d)
cluster="$work/cluster"
cleanup() {
    [ -f "$cluster/slurm.conf" ] && sh tests/scripts/slurm_cluster.sh stop "$cluster"
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
grid="--grid train.optimizer.lr=0.05,-1 --grid model.layers.0.units=4,8"
sweep() { scripts/sweep.sh configs/breast_cancer.yaml --dlctl "$dlctl" "$@" $grid -- --set train.epochs=2; }

# The job script: one task per point, at most 2 at once, the extra #SBATCH line, valid sh.
sweep --out "$work/a" --slurm -j 2 --sbatch --time=00:10:00 2>/dev/null
script="$work/a/sweep.sbatch"
[ -f "$script" ] || fail "no sweep.sbatch"
sh -n "$script" || fail "sweep.sbatch is not valid sh"
grep -q '^#SBATCH --array=1-4%2$' "$script" || fail "array line: $(grep array "$script")"
grep -q '^#SBATCH --time=00:10:00$' "$script" || fail "the --sbatch line is missing"
grep -q '^#SBATCH --cpus-per-task=1$' "$script" || fail "no default --cpus-per-task"
[ "$(wc -l <"$work/a/points.txt")" -eq 4 ] || fail "points.txt: $(cat "$work/a/points.txt")"

# --ntasks 2: two Slurm tasks a point, started as ranks by mpirun (or the --launcher given); a
# dlctl without MPI is refused.
mpi=0
"$dlctl" --version | grep -q 'MPI on' && command -v mpirun >/dev/null && mpi=1
if [ "$mpi" -eq 1 ]; then
    sweep --out "$work/n" --slurm --ntasks 2 2>/dev/null
    grep -q '^#SBATCH --ntasks=2$' "$work/n/sweep.sbatch" || fail "no --ntasks line"
    grep -q '^SWEEP_LAUNCHER="mpirun -np ${SLURM_NTASKS:-2} --bind-to none"$' "$work/n/sweep.sbatch" ||
        fail "launcher: $(grep LAUNCHER "$work/n/sweep.sbatch")"
    sh -n "$work/n/sweep.sbatch" || fail "the --ntasks job script is not valid sh"
    sweep --out "$work/l" --slurm --ntasks 2 --launcher 'srun --mpi=pmix' 2>/dev/null
    grep -q "^SWEEP_LAUNCHER='srun --mpi=pmix'$" "$work/l/sweep.sbatch" || fail "--launcher not used"
elif sweep --out "$work/n" --slurm --ntasks 2 2>/dev/null; then
    fail "--ntasks 2 accepted by a dlctl without MPI"
fi

# A path the job script cannot quote is refused before anything is written.
if msg=$(scripts/sweep.sh configs/breast_cancer.yaml --dlctl "$dlctl" --out "$work/it's" --slurm \
    --grid train.epochs=1 2>&1); then fail "a quote in --out was accepted"; else code=$?; fi
[ "$code" -eq 2 ] || fail "a quote in --out: exit $code, expected 2"
printf '%s\n' "$msg" | grep -q "cannot quote" || fail "a quote in --out: $msg"
[ ! -e "$work/it's" ] || fail "a refused --out was created"

# Its tasks, run as Slurm runs them: each trains its point; the failing point's task fails.
for task in 1 2 3 4; do
    if SLURM_ARRAY_TASK_ID=$task SLURM_CPUS_PER_TASK=1 sh "$script" >/dev/null; then code=0; else code=$?; fi
    name=$(sed -n "${task}p" "$work/a/points.txt" | cut -d' ' -f1)
    case "$name" in
        lr=-1*) [ "$code" -eq 2 ] || fail "task $task ($name) exit $code, expected 2" ;;
        *) [ "$code" -eq 0 ] || fail "task $task ($name) exit $code"
           grep -q '"status": "completed"' "$work/a/$name/summary.json" || fail "$name not completed" ;;
    esac
done
grep -q 'lr=-1_units=8 exit 2' "$work/a/sweep.log" || fail "sweep.log: $(cat "$work/a/sweep.log")"
# An --ntasks task, run as Slurm runs it: its point trains on two ranks.
if [ "$mpi" -eq 1 ]; then
    if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
    export OMPI_MCA_rmaps_base_oversubscribe=1  # two ranks even on a one-core runner
    SLURM_ARRAY_TASK_ID=1 SLURM_NTASKS=2 SLURM_CPUS_PER_TASK=1 sh "$work/n/sweep.sbatch" >/dev/null ||
        fail "an --ntasks task failed"
    name=$(sed -n 1p "$work/n/points.txt" | cut -d' ' -f1)
    grep -q '"ranks": 2' "$work/n/$name/summary.json" || fail "the --ntasks task did not train on 2 ranks"
fi
SLURM_ARRAY_TASK_ID=1 sh "$script" | grep -q '^skip ' || fail "a finished point was not skipped"

# A real cluster, where one can be started here.
if [ "$(id -u)" -ne 0 ] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "sweep.sh --slurm: job script checked; no Slurm cluster here (needs root, slurmctld, munged)"
    exit 0
fi
sh tests/scripts/slurm_cluster.sh start "$cluster" || fail "could not start a Slurm cluster"
export SLURM_CONF="$cluster/slurm.conf"
sbatch --test-only "$script" 2>&1 | grep -q 'to start at' || fail "sbatch --test-only rejects the script"
out=$(sweep --out "$work/b" --slurm --submit --wait 2>"$work/b.err") || fail "submit: $(cat "$work/b.err")"
for name in lr=0.05_units=4 lr=0.05_units=8; do
    grep -q '"status": "completed"' "$work/b/$name/summary.json" || fail "slurm: $name not completed"
done
grep -q 'lr=-1_units=4 exit 2' "$work/b/sweep.log" || fail "slurm: sweep.log: $(cat "$work/b/sweep.log")"
ls "$work/b/logs/"slurm-*_1.out >/dev/null 2>&1 || fail "slurm: no task output in logs/"
[ "$(printf '%s\n' "$out" | grep -c completed)" -eq 2 ] || fail "slurm: leaderboard: $out"
# --ntasks 2 on the cluster: each array task is two Slurm tasks, mpirun starts them as ranks
# (the node needs two CPUs).
if [ "$mpi" -eq 1 ] && [ "$(nproc)" -ge 2 ]; then
    sweep --out "$work/c" --slurm --ntasks 2 --submit --wait >/dev/null 2>"$work/c.err" ||
        fail "submit --ntasks 2: $(cat "$work/c.err")"
    for name in lr=0.05_units=4 lr=0.05_units=8; do
        grep -q '"ranks": 2' "$work/c/$name/summary.json" ||
            fail "slurm --ntasks 2: $name not on 2 ranks: $(cat "$work/c/logs/"*.out 2>/dev/null | tail -5)"
    done
fi
echo "sweep.sh --slurm: job script checked, and run as a job array on a single-node Slurm cluster"
