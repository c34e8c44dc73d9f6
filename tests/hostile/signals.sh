# Signals: Ctrl-C and SIGTERM (Slurm's scancel and time limit) end a run cleanly, with every
# output written and no temporary file left (tests/hostile/hostile.sh runs this file).
cfg=$fixture/configs/breast_cancer.yaml
long="--set train.epochs=100000 -q"

# ended_cleanly DIR STATUS: DIR's summary.json says STATUS and every output is there.
ended_cleanly() {
    grep -q "\"status\": \"$2\"" "$1/summary.json" || fail_case "summary.json of $1 lacks status $2"
    for f in config.yaml metrics.csv model.safetensors checkpoints/last.safetensors curves.svg; do
        [ -s "$1/$f" ] || fail_case "$1/$f missing after the signal"
    done
    ! ls "$1"/*.tmp-* "$1"/checkpoints/*.tmp-* > /dev/null 2>&1 || fail_case "temporary files left in $1"
}

# shellcheck disable=SC2086
signalled "train: SIGTERM stops after the step and writes everything" TERM term/checkpoints/last.safetensors 143 \
    "stopped by SIGTERM" train "$cfg" $long --run-dir "$PWD/term"
ended_cleanly term interrupted
# shellcheck disable=SC2086
signalled "train: SIGINT (Ctrl-C) stops after the step and writes everything" INT int/checkpoints/last.safetensors 130 \
    "interrupted" train "$cfg" $long --run-dir "$PWD/int"
ended_cleanly int interrupted
hostile "report: a run stopped by SIGTERM is listed as interrupted" 0 "" report "$PWD"
grep -q "interrupted" stdout.txt || fail_case "report does not show the stopped runs as interrupted"
hostile "train: --resume auto continues a run stopped by SIGTERM" 0 "" \
    train "$cfg" -q --run-dir "$PWD/term" --resume auto --set train.epochs=1

# predict -o: a signal mid-write leaves the old file as it was and no FILE.tmp-PID.
repeated_csv "$fixture/data/breast_cancer.csv" big.csv 1500
echo "old predictions" > preds.csv
ckpt=$fixture/run/checkpoints/last.safetensors
for signal in TERM:143 INT:130; do
    code=${signal#*:} signal=${signal%:*}
    signalled "predict -o: SIG$signal mid-write" "$signal" "preds.csv.tmp-*" "$code" "" \
        predict big.csv --checkpoint "$ckpt" -o preds.csv
    [ "$(cat preds.csv)" = "old predictions" ] || fail_case "SIG$signal: preds.csv changed"
    ! ls preds.csv.tmp-* > /dev/null 2>&1 || fail_case "SIG$signal: preds.csv.tmp-PID left behind"
done

# SIGKILL (the OOM killer, a node failure) at any moment: last.safetensors is a whole epoch at
# most one behind metrics.csv, and --resume auto continues from it each time.
for delay in 0.3 0.7 1.1 0.5 0.9; do
    case_name="train: SIGKILL after $delay s, then --resume auto"
    "$dlctl" train "$cfg" -q --run-dir "$PWD/killed" --resume auto --set train.epochs=100000 \
        > /dev/null 2> stderr.txt < /dev/null &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid"
    wait "$pid" 2> /dev/null
    [ -e killed/checkpoints/last.safetensors ] || continue  # killed before the first epoch
    saved=$("$dlctl" inspect killed/checkpoints/last.safetensors --json |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["training"]["epoch"])') ||
        { fail_case "last.safetensors does not load"; continue; }
    logged=$(($(wc -l < killed/metrics.csv) - 1))
    if [ $((logged - saved)) -le 1 ] && [ "$saved" -le "$logged" ]; then
        passed=$((passed + 1))
    else
        fail_case "last.safetensors is epoch $saved, metrics.csv has $logged epochs"
    fi
done
