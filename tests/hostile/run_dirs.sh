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
