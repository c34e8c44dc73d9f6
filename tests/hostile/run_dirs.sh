# Hostile run directories: concurrent runs, reused and foreign directories
# (tests/hostile/hostile.sh runs this file).
cfg=$fixture/configs/breast_cancer.yaml

# wait_for FILE: waits up to 30 s for FILE to exist.
wait_for() {
    for _ in $(seq 300); do [ -e "$1" ] && return 0; sleep 0.1; done
    return 1
}

# Two runs in one directory: the second gets a clear error while the first holds it.
"$dlctl" train "$cfg" -q --run-dir "$PWD/busy" --set train.epochs=100000 > /dev/null 2>&1 &
holder=$!
wait_for busy/config.yaml
hostile "train: --resume auto on a directory another run holds" 4 "is in use by another dlctl train" \
    train "$cfg" -q --run-dir "$PWD/busy" --resume auto
hostile "train: --resume on a directory another run holds" 4 "is in use by another dlctl train" \
    train "$cfg" -q --run-dir "$PWD/busy" --resume "$PWD/busy/checkpoints/last.safetensors"
hostile "train: a new run into a directory another run holds" 4 "is not empty" \
    train "$cfg" -q --run-dir "$PWD/busy"
kill -KILL "$holder" 2> /dev/null
wait "$holder" 2> /dev/null
# Its lock ended with it: the directory resumes.
hostile "train: --resume auto after the holder was killed" 0 "" \
    train "$cfg" -q --run-dir "$PWD/busy" --resume auto --set train.epochs=1
mkdir foreign
echo keep > foreign/notes.txt
hostile "train: --run-dir that holds other files" 4 "is not empty" train "$cfg" -q --run-dir "$PWD/foreign"
[ "$(cat foreign/notes.txt)" = keep ] || fail_case "foreign/notes.txt changed"
echo plain > afile
hostile "train: --run-dir that is a file" 4 "afile" train "$cfg" -q --run-dir "$PWD/afile"

# Replacing an output keeps what the user set up: a symbolic link stays a link (the file behind
# it is replaced) and a replaced file keeps its mode.
ckpt=$fixture/run/checkpoints/last.safetensors
"$dlctl" predict "$fixture/data/breast_cancer.csv" --checkpoint "$ckpt" -q -o real.csv
chmod 0640 real.csv
ln -s real.csv link.csv
hostile "predict -o onto a symbolic link" 0 "" \
    predict "$fixture/data/breast_cancer.csv" --checkpoint "$ckpt" --top-k 1 -o link.csv
[ -L link.csv ] || fail_case "-o replaced the symbolic link by a file"
grep -q top1_label real.csv || fail_case "-o did not write the file behind the link"
[ "$(stat -c %a real.csv)" = 640 ] || fail_case "-o changed the mode 0640 to $(stat -c %a real.csv)"

# report: a run killed without a summary is not "running"; broken files are named, not hidden.
mkdir -p sweep/killed sweep/corrupt sweep/noconfig
cp "$fixture/run/config.yaml" sweep/killed/
: > sweep/killed/train.log
cp "$fixture/run/config.yaml" sweep/corrupt/
printf '{"status": "compl' > sweep/corrupt/summary.json
printf 'model: [unclosed\n' > sweep/noconfig/config.yaml
cp "$fixture/run/summary.json" sweep/noconfig/
hostile "report: a killed run, a corrupt summary, a broken config" 0 "noconfig/config.yaml:2:" \
    report sweep --format csv
grep -q "killed,incomplete" stdout.txt || fail_case "report: the killed run is not 'incomplete'"
grep -q "corrupt,unreadable" stdout.txt || fail_case "report: the corrupt summary is not 'unreadable'"
grep -q "noconfig,completed" stdout.txt || fail_case "report: the run with a broken config.yaml is missing"
