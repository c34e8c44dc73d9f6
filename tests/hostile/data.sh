# Hostile training data: every case is refused (exit 3) or handled as documented, without a
# hang, a signal or a lost row (tests/hostile/hostile.sh runs this file).
cfg=$fixture/configs/breast_cancer.yaml

# trains CSV [EXTRA...]: dlctl train on CSV with the breast_cancer spec, one epoch, into ./run-N.
runs=0
trains() {
    local csv=$1
    shift
    runs=$((runs + 1))
    echo "--set data.path=$(pwd)/$csv --set train.epochs=1 --run-dir $(pwd)/run-$runs -q --no-cache $*"
}

mkfifo fifo.csv
# shellcheck disable=SC2046
hostile "train: a FIFO as data.path is refused, not waited on" 3 "is not a regular file" train "$cfg" $(trains fifo.csv)
ln -s /dev/zero zero.csv
# shellcheck disable=SC2046
hostile "train: /dev/zero as data.path is refused, not read forever" 3 "is not a regular file" train "$cfg" $(trains zero.csv)
# shellcheck disable=SC2046
hostile "validate: a FIFO as data.path" 3 "is not a regular file" validate "$cfg" --set "data.path=$(pwd)/fifo.csv"
mkdir adir.csv
# shellcheck disable=SC2046
hostile "train: a directory as data.path" 3 "is a directory" train "$cfg" $(trains adir.csv)
# shellcheck disable=SC2046
hostile "train: a missing data.path" 3 "does not exist" train "$cfg" $(trains missing.csv)
: > empty.csv
# shellcheck disable=SC2046
hostile "train: an empty CSV" 3 "empty.csv" train "$cfg" $(trains empty.csv)

# A CSV cut short while it is read: a data error or (cut after the read) a clean run, never
# SIGBUS. The exact moment is up to the scheduler, so either ending is accepted, a signal never.
python3 - "$fixture/data/breast_cancer.csv" big.csv <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
with open(sys.argv[2], "w") as out:
    out.write(lines[0] + "\n")
    for _ in range(500):
        out.write("\n".join(lines[1:]) + "\n")
PY
for delay in 0.05 0.15 0.3; do
    cp big.csv cut.csv
    case_name="validate: the CSV cut to 1 MB $delay s after the start"
    "$dlctl" validate "$cfg" --no-cache --set "data.path=$PWD/cut.csv" > /dev/null 2> stderr.txt &
    pid=$!
    sleep "$delay"
    truncate -s 1000000 cut.csv
    rc=0
    wait "$pid" || rc=$?
    if [ "$rc" -eq 3 ] && grep -qF "changed while it was read" stderr.txt; then
        passed=$((passed + 1))
    elif [ "$rc" -eq 0 ] || { [ "$rc" -eq 3 ] && grep -qF "cut.csv" stderr.txt; }; then
        passed=$((passed + 1))  # read before the cut, or the cut file read whole
    else
        fail_case "exit $rc: $(head -c 300 stderr.txt)"
    fi
done
