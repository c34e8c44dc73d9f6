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
