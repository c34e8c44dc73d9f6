#!/bin/sh
# Hyperparameter sweeps over a spec: one `dlctl train` per point, N at a time, resumable, ending
# with the leaderboard; or a Slurm job array doing the same. POSIX sh, coreutils, awk and xargs.
usage() {
    cat <<'USAGE'
Usage: scripts/sweep.sh SPEC --out DIR [options] [-- TRAIN_ARGS...]

Points (a grid, random samples, or both: every sample with every grid point):
  --grid KEY=V1,V2,...         values of a spec key (repeat for a full grid)
  --random N                   N random samples of the --uniform / --choice keys
  --uniform KEY=LO:HI[:log]    a sample drawn uniformly (log: uniformly in log space)
  --choice KEY=A,B,...         a sample picked from values
  --seed S                     seed of the random samples (default 0)
Running:
  -j N                         runs at a time (default 1), each with cores/N threads
                               (unless TRAIN_ARGS hold --threads)
  --dlctl BIN                  the dlctl binary (default: build/bin/dlctl, else dlctl on PATH)
  --ntasks N                   train each point on N ranks (data-parallel; needs dlctl with
                               MPI): `mpirun -np N --bind-to none dlctl train ...`, or with
                               --slurm N tasks per array task; each rank gets its share of the
                               threads
  --launcher 'CMD'             with --ntasks, what starts the ranks (default: mpirun -np N
                               --bind-to none; with --slurm, mpirun -np $SLURM_NTASKS
                               --bind-to none), e.g. --launcher 'srun --mpi=pmix'
  --dry-run                    print the points and their run names, run nothing
  -- TRAIN_ARGS                passed to every `dlctl train` (e.g. -- --set train.epochs=20)
On a Slurm cluster:
  --slurm                      write DIR/sweep.sbatch, a job array with one task per point
                               (-j N limits the tasks running at once), and run nothing
  --sbatch OPTION              an #SBATCH line for it, e.g. --sbatch --partition=cpu
                               --sbatch --time=00:30:00 (repeat; default --cpus-per-task=1)
  --submit                     submit it with sbatch and print the job id
  --wait                       with --submit: wait for the array to finish, then print the
                               leaderboard

Each point runs `dlctl train SPEC --set KEY=VALUE... --run-dir DIR/<name> --resume auto`, the
name made of the varied values (lr=0.01_units=64). Run again, the sweep skips finished points
(completed or failed) and continues unfinished ones from their last checkpoint. A failed point
does not stop the others: its exit code is in DIR/sweep.log and its stderr in DIR/logs/. The
sweep ends with `dlctl report DIR`. Array tasks do the same in the same layout (a task's exit
code is its point's), and resubmitting the script skips finished points; `dlctl report DIR`
shows the leaderboard at any time. Every path in the script is absolute, so the cluster must
see the same file system.

Example:
  scripts/sweep.sh configs/breast_cancer.yaml --out runs/sweep \
      --grid train.optimizer.lr=0.01,0.001 --grid model.layers.0.units=16,64 -j 2
  scripts/sweep.sh configs/breast_cancer.yaml --out /shared/sweep --slurm --submit \
      --sbatch --partition=cpu --grid train.optimizer.lr=0.01,0.001,0.0001
  scripts/sweep.sh big.yaml --out /shared/big --slurm --ntasks 4 --sbatch --cpus-per-task=8 \
      --sbatch --nodes=2 --grid train.optimizer.lr=0.01,0.001 --submit
USAGE
}

set -eu

if [ "${1:-}" = "--run-one" ]; then  # internal: one point, from xargs
    shift
    spec=$1 out=$2 dlctl=$3 name=$4
    shift 4
    dir="$out/$name"
    if [ -f "$dir/summary.json" ] && grep -Eq '"status": "(completed|failed)"' "$dir/summary.json"; then
        echo "skip $name (finished)"
        exit 0
    fi
    set -- "$@"
    sets=""
    for assignment in "$@"; do sets="$sets --set $assignment"; done
    # shellcheck disable=SC2086  # sets, SWEEP_LAUNCHER and SWEEP_TRAIN_ARGS are word lists
    if ${SWEEP_LAUNCHER:-} "$dlctl" train "$spec" -q $sets --run-dir "$dir" --resume auto ${SWEEP_TRAIN_ARGS:-} \
        >/dev/null 2>"$out/logs/$name.err"; then
        code=0
    else
        code=$?
    fi
    echo "$name exit $code" >>"$out/sweep.log"
    echo "done $name (exit $code)"
    # A Slurm array task reports its point's exit code; xargs must go on with the other points.
    [ -n "${SWEEP_PROPAGATE_EXIT:-}" ] && exit "$code"
    exit 0
fi

[ $# -ge 1 ] || { usage >&2; exit 2; }
case "$1" in -h | --help) usage; exit 0 ;; esac
spec=$1
shift
out="" jobs=1 jobs_given=0 samples=0 seed=0 dry_run=0 dlctl=""
grids="" uniforms="" choices="" train_args=""
slurm=0 submit=0 wait_for_array=0 sbatch_lines="" ntasks=1 launcher=""
nl='
'
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --grid) grids="$grids$2$nl"; shift 2 ;;
        --random) samples=$2; shift 2 ;;
        --uniform) uniforms="$uniforms$2$nl"; shift 2 ;;
        --choice) choices="$choices$2$nl"; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        -j) jobs=$2; jobs_given=1; shift 2 ;;
        --slurm) slurm=1; shift ;;
        --sbatch) sbatch_lines="$sbatch_lines#SBATCH $2$nl"; shift 2 ;;
        --submit) submit=1; shift ;;
        --wait) wait_for_array=1; shift ;;
        --dlctl) dlctl=$2; shift 2 ;;
        --ntasks) ntasks=$2; shift 2 ;;
        --launcher) launcher=$2; shift 2 ;;
        --dry-run) dry_run=1; shift ;;
        --) shift; train_args="$*"; break ;;
        -h | --help) usage; exit 0 ;;
        *) echo "sweep.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[ -n "$out" ] || { echo "sweep.sh: --out DIR is required" >&2; exit 2; }
[ -f "$spec" ] || { echo "sweep.sh: spec '$spec' not found" >&2; exit 2; }
if [ -z "$grids" ] && [ "$samples" -eq 0 ]; then
    echo "sweep.sh: give --grid and/or --random with --uniform/--choice" >&2
    exit 2
fi
if [ -z "$dlctl" ]; then
    dlctl="$(dirname "$0")/../build/bin/dlctl"
    [ -x "$dlctl" ] || dlctl=$(command -v dlctl || true)
fi
[ -n "$dlctl" ] && [ -x "$dlctl" ] || { echo "sweep.sh: no dlctl binary (--dlctl BIN)" >&2; exit 2; }
case "$ntasks" in
    '' | *[!0-9]* | 0) echo "sweep.sh: --ntasks takes a count of ranks (got '$ntasks')" >&2; exit 2 ;;
esac
if [ "$ntasks" -gt 1 ] && ! "$dlctl" --version | grep -q 'MPI on'; then
    echo "sweep.sh: --ntasks $ntasks needs a dlctl built with MPI ($dlctl --version says MPI off)" >&2
    exit 2
fi

# Points, one per line: KEY=VALUE assignments separated by spaces.
points=$(printf '%s' "$grids" | awk -v samples="$samples" -v seed="$seed" \
    -v uniforms="$uniforms" -v choices="$choices" '
    NF { n = split($0, kv, "="); key = kv[1]; split(substr($0, length(key) + 2), vals, ",")
         k = 0; for (v in vals) k++
         count = 0
         for (p = 1; p <= (npoints ? npoints : 1); p++)
             for (i = 1; i <= k; i++) next_points[++count] = (npoints ? points[p] " " : "") key "=" vals[i]
         npoints = count; for (p = 1; p <= count; p++) points[p] = next_points[p] }
    END {
        if (samples > 0) {
            srand(seed); for (w = 0; w < 20; w++) rand()  # mawk: leave the first draws of a small seed
            nu = split(uniforms, us, "\n"); nc = split(choices, cs, "\n")
            for (s = 1; s <= samples; s++) {
                line = ""
                for (i = 1; i <= nu; i++) {
                    if (us[i] == "") continue
                    key = substr(us[i], 1, index(us[i], "=") - 1)
                    split(substr(us[i], length(key) + 2), r, ":")
                    x = rand()
                    value = (r[3] == "log") ? exp(log(r[1]) + x * (log(r[2]) - log(r[1]))) : r[1] + x * (r[2] - r[1])
                    line = line (line == "" ? "" : " ") key "=" sprintf("%.4g", value)
                }
                for (i = 1; i <= nc; i++) {
                    if (cs[i] == "") continue
                    key = substr(cs[i], 1, index(cs[i], "=") - 1)
                    m = split(substr(cs[i], length(key) + 2), options, ",")
                    line = line (line == "" ? "" : " ") key "=" options[int(rand() * m) + 1]
                }
                sampled[s] = line
            }
            if (npoints) { for (p = 1; p <= npoints; p++) for (s = 1; s <= samples; s++) print points[p] " " sampled[s] }
            else for (s = 1; s <= samples; s++) print sampled[s]
        } else for (p = 1; p <= npoints; p++) print points[p]
    }')

# Run names: the last part of each key (the whole key where two share one) = value.
named=$(printf '%s\n' "$points" | awk '
    { lines[NR] = $0; for (i = 1; i <= NF; i++) { key = substr($i, 1, index($i, "=") - 1)
        n = split(key, parts, "."); last = parts[n]; if (!(key in seen)) { seen[key] = 1; owners[last]++ } } }
    END { for (l = 1; l <= NR; l++) { name = ""; n = split(lines[l], a, " ")
            for (i = 1; i <= n; i++) { key = substr(a[i], 1, index(a[i], "=") - 1); value = substr(a[i], length(key) + 2)
                m = split(key, parts, "."); short = owners[parts[m]] > 1 ? key : parts[m]
                name = name (name == "" ? "" : "_") short "=" value }
            gsub(/[^A-Za-z0-9._=+-]/, "-", name); print name " " lines[l] } }')

if [ "$dry_run" -eq 1 ] && [ "$slurm" -eq 0 ]; then
    printf '%s\n' "$named"
    exit 0
fi
if [ "$slurm" -eq 1 ]; then
    . "$(dirname "$0")/sweep_slurm.sh"
    exit 0
fi
mkdir -p "$out/logs"
total=$(printf '%s\n' "$named" | grep -c . || true)
echo "sweep: $total points, $jobs at a time, into $out" >&2
# N runs at a time, of R ranks each, share the cores: each rank gets its share of threads
# unless told otherwise.
ranks_at_once=$((jobs * ntasks))
case " $train_args " in
    *" --threads "*) ;;
    *) cores=$(nproc 2>/dev/null || echo 1)
       train_args="$train_args --threads $((cores / ranks_at_once > 0 ? cores / ranks_at_once : 1))" ;;
esac
export SWEEP_TRAIN_ARGS="$train_args"
# Unbound ranks: mpirun would pin each to one core, and a rank has several threads.
if [ "$ntasks" -gt 1 ]; then
    export SWEEP_LAUNCHER="${launcher:-mpirun -np $ntasks --bind-to none}"
else
    unset SWEEP_LAUNCHER
fi
printf '%s\n' "$named" | xargs -P "$jobs" -L 1 sh "$0" --run-one "$spec" "$out" "$dlctl"
failed=$(grep -c -v ' exit 0$' "$out/sweep.log" 2>/dev/null || true)
echo "sweep: finished; ${failed:-0} failed run(s) in this and earlier passes are listed in $out/sweep.log" >&2
"$dlctl" report "$out"
