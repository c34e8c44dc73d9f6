# Sourced by scripts/sweep.sh --slurm: writes the points and a Slurm job array running them,
# and with --submit submits it. Uses sweep.sh's variables (spec, out, dlctl, named, jobs, ...).

absolute() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
# The paths are written into the job script between single quotes.
for value in "$spec" "$out" "$dlctl" "$0" "$train_args" "$launcher"; do
    case "$value" in *"'"*) echo "sweep.sh: --slurm cannot quote $value (it holds a ')" >&2; exit 2 ;; esac
done
mkdir -p "$out/logs"
out_abs=$(cd "$out" && pwd)
spec_abs=$(absolute "$spec")
dlctl_abs=$(absolute "$dlctl")
sweep_abs=$(absolute "$0")
total=$(printf '%s\n' "$named" | grep -c . || true)
printf '%s\n' "$named" >"$out_abs/points.txt"

array="1-$total"
[ "$jobs_given" -eq 1 ] && array="$array%$jobs"
case "$sbatch_lines" in
    *"#SBATCH --cpus-per-task"* | *"#SBATCH -c"*) cpus="" ;;
    *) cpus="#SBATCH --cpus-per-task=1$nl" ;;
esac
# Each array task of --ntasks N is N Slurm tasks, one rank each, started by the launcher.
tasks="" launch="unset SWEEP_LAUNCHER$nl"  # one process a point, whatever sbatch exported
if [ "$ntasks" -gt 1 ]; then
    tasks="#SBATCH --ntasks=$ntasks$nl"
    if [ -n "$launcher" ]; then
        launch="SWEEP_LAUNCHER='$launcher'$nl"
    else
        launch="SWEEP_LAUNCHER=\"mpirun -np \${SLURM_NTASKS:-$ntasks} --bind-to none\"$nl"
    fi
    launch="${launch}export SWEEP_LAUNCHER$nl"
fi
job_name=$(printf 'dlctl-%s' "$(basename "$out_abs")" | tr -c 'A-Za-z0-9._=+-' '-')
script="$out_abs/sweep.sbatch"
cat >"$script.tmp" <<SBATCH
#!/bin/sh
#SBATCH --job-name=$job_name
#SBATCH --array=$array
#SBATCH --output=$out_abs/logs/slurm-%A_%a.out
$cpus$tasks$sbatch_lines# Written by scripts/sweep.sh --slurm: array task i trains point i of points.txt
# (dlctl train --set ... --run-dir $out_abs/<name> --resume auto).
# Submit again to run the points that have not finished; then: dlctl report $out_abs
set -eu
point=\$(sed -n "\${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}p" '$out_abs/points.txt')
[ -n "\$point" ] || { echo "no point \$SLURM_ARRAY_TASK_ID in points.txt" >&2; exit 2; }
SWEEP_TRAIN_ARGS='$train_args'
[ -n "\${SLURM_CPUS_PER_TASK:-}" ] && SWEEP_TRAIN_ARGS="\$SWEEP_TRAIN_ARGS --threads \$SLURM_CPUS_PER_TASK"
export SWEEP_TRAIN_ARGS SWEEP_PROPAGATE_EXIT=1
$launch# shellcheck disable=SC2086  # a point is a name and KEY=VALUE words
exec sh '$sweep_abs' --run-one '$spec_abs' '$out_abs' '$dlctl_abs' \$point
SBATCH
mv "$script.tmp" "$script"
echo "sweep: wrote $script ($total array tasks) and $out_abs/points.txt" >&2

if [ "$dry_run" -eq 1 ]; then
    cat "$script"
    exit 0
fi
if [ "$submit" -eq 0 ]; then
    echo "sweep: submit it with: sbatch $script   (then: $dlctl report $out)" >&2
    exit 0
fi
command -v sbatch >/dev/null || { echo "sweep.sh: --submit needs sbatch on PATH" >&2; exit 2; }
if [ "$wait_for_array" -eq 1 ]; then
    # --wait returns the array's highest task exit code; failed points are in sweep.log.
    job=$(sbatch --parsable --wait "$script") || true
    echo "sweep: job $job finished; failed points, if any, are listed in $out/sweep.log" >&2
    "$dlctl" report "$out"
else
    job=$(sbatch --parsable "$script")
    echo "submitted job $job; follow it with: squeue -j $job   leaderboard: $dlctl report $out" >&2
    echo "$job"
fi
