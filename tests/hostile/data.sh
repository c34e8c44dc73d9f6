# Hostile training data: every case is refused (exit 3) or handled as documented, without a
# hang, a signal or a lost row (tests/hostile/hostile.sh runs this file).
cfg=$fixture/configs/breast_cancer.yaml

# trains CSV [EXTRA...]: the arguments that train the breast_cancer spec on CSV for one epoch,
# into a new ./run-CSV-N.
trains() {
    local csv=$1 n=1
    shift
    while [ -e "run-$csv-$n" ]; do n=$((n + 1)); done
    echo "--set data.path=$(pwd)/$csv --set train.epochs=1 --run-dir $(pwd)/run-$csv-$n -q --no-cache $*"
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
repeated_csv "$fixture/data/breast_cancer.csv" big.csv 500
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

# edit NAME LINE FIELD VALUE: NAME.csv is breast_cancer.csv with field FIELD (0-based) of line
# LINE (1-based, the header is line 1) set to the Python expression VALUE.
edit() {
    python3 - "$fixture/data/breast_cancer.csv" "$1.csv" "$2" "$3" "$4" <<'PY'
import sys
src, dst, line, field, value = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), eval(sys.argv[5])
lines = open(src).read().split("\n")
cells = lines[line - 1].split(",")
if field < 0:
    lines[line - 1] = value + lines[line - 1]
else:
    cells[field] = value
    lines[line - 1] = ",".join(cells)
open(dst, "w").write("\n".join(lines))
PY
}
cfg_bc=$cfg
# Bytes no CSV has: a NUL at the start of a row was a silently dropped row.
edit nul-start 6 -1 '"\0"'
hostile "train: a row starting with a NUL byte" 3 "nul-start.csv:6:1: a NUL byte" train "$cfg_bc" $(trains nul-start.csv)
edit nul-mid 6 3 '"12\0.5"'
hostile "validate: a NUL inside a field" 3 "nul-mid.csv:6:" validate "$cfg_bc" --no-cache --set "data.path=$PWD/nul-mid.csv"
hostile "predict: a row starting with a NUL byte" 3 "a NUL byte" predict nul-start.csv --checkpoint "$fixture/run/checkpoints/last.safetensors"
# Numbers float32 cannot hold: one rule, an error naming the place, in train, eval and predict.
for value in 1e39 -1e39 1e400 99999999999999999999999999999999999999999999999999 inf nan; do
    edit "range$value" 8 3 "\"$value\""
    hostile "train: $value in a numeric column" 3 "range$value.csv:8: column 'mean_perimeter': '$value' is" \
        train "$cfg_bc" $(trains "range$value.csv")
    hostile "predict: $value in a numeric column" 3 "range$value.csv:8: column 'mean_perimeter'" \
        predict "range$value.csv" --checkpoint "$fixture/run/checkpoints/last.safetensors"
done
hostile "train: 1e39 names float32's range" 3 "outside float32's range" train "$cfg_bc" $(trains range1e39.csv)
edit tiny 8 3 '"1e-50"'
hostile "train: an underflowing 1e-50 rounds to 0 (IEEE), the column stays numeric" 0 "" \
    train "$cfg_bc" $(trains tiny.csv)
# Rows that do not fit the header.
edit ragged 9 3 '"1,2"'
hostile "train: a row with a field too many" 3 "ragged.csv:9: found 33 fields, expected 32" train "$cfg_bc" $(trains ragged.csv)
edit text 9 3 '"red"'
hostile "train: text in a numeric column becomes categorical, said in the log" 0 "" train "$cfg_bc" $(trains text.csv)
printf 'a,b\n' > header-only.csv
hostile "train: a header and no rows" 3 "has a header but no data rows" train "$cfg_bc" $(trains header-only.csv)

# Quotes: RFC 4180 lets a quoted field hold newlines; a quote never closed is an error naming
# the line it opened on, however far the file goes on.
python3 - "$fixture/data/breast_cancer.csv" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
header = lines[0] + ",note"
rows = [l + (',"two\nlines"' if i % 7 == 0 else ",plain") for i, l in enumerate(lines[1:])]
open("newlines.csv", "w").write("\n".join([header] + rows) + "\n")
cells = lines[5].split(",")
cells[3] = '"12.5'
open("open-quote.csv", "w").write("\n".join(lines[:5] + [",".join(cells)] + lines[6:]) + "\n")
opened = ",".join(lines[1].split(",")[:-1] + ['"start'])
open("long-quote.csv", "w").write(lines[0] + "\n" + opened + "\n" + ("x" * 1000 + "\n") * 17000)
PY
hostile "train: quoted fields with newlines train, every row read" 0 "" train "$cfg_bc" $(trains newlines.csv)
grep -q "569 rows" run-newlines.csv-1/train.log || fail_case "newlines.csv: not every row was read"
hostile "validate: a quote never closed names its line" 3 "open-quote.csv:6: a quoted field opened on this line is never closed" \
    validate "$cfg_bc" --no-cache --set "data.path=$PWD/open-quote.csv"
hostile "predict: a quote never closed names its line" 3 "open-quote.csv:6: a quoted field opened" \
    predict open-quote.csv --checkpoint "$fixture/run/checkpoints/last.safetensors"
hostile "validate: a quoted field over 16 MiB is refused, not read into memory forever" 3 "runs over 16 MiB" \
    validate "$cfg_bc" --no-cache --set "data.path=$PWD/long-quote.csv"

# predict --on-error: a row that cannot be read is an error, or skipped and counted, or (blank)
# written without a prediction so that output rows stay aligned with input rows.
ckpt=$fixture/run/checkpoints/last.safetensors
hostile "predict: text in a numeric column is an error naming the place" 3 "text.csv:9: column 'mean_perimeter': 'red' is not a number" \
    predict text.csv --checkpoint "$ckpt"
hostile "predict --on-error skip: the skipped row is counted, and the misalignment named" 0 "no longer line up" \
    predict text.csv --checkpoint "$ckpt" --on-error skip -o skipped.csv
[ "$(wc -l < skipped.csv)" -eq 569 ] || fail_case "skip: expected 568 rows and a header"
hostile "predict --on-error blank: an empty row in its place" 0 "wrote 1 row without a prediction" \
    predict text.csv --checkpoint "$ckpt" --on-error blank -o blank.csv
[ "$(wc -l < blank.csv)" -eq 570 ] && [ "$(sed -n 9p blank.csv)" = ",," ] ||
    fail_case "blank: expected 569 rows with row 8 (line 9) empty"
