#!/usr/bin/env bash
# The hostile-input suite: bad specs, CSVs, checkpoints, run directories and signals, each
# asserting dlctl's exit code, its message, that it neither hangs nor dies of a signal, and that
# no good file changed.
# Usage: tests/hostile/hostile.sh DLCTL_BINARY CASES.sh...   (a CTest per cases file)
#
# A cases file is bash, run in a fresh scratch directory (the current directory). It may write
# files and then call
#   hostile "what is tried" EXIT "text stderr must contain" ARG...
# which runs `dlctl ARG...` there. Shared, read-only inputs: $fixture/run (a trained
# breast_cancer run: checkpoints, config.yaml), $fixture/data (the bundled CSVs), $fixture/configs.
# Every file under $fixture must be byte-identical after each case.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dlctl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
timeout_s=${HOSTILE_TIMEOUT:-60}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fixture=$tmp/fixture
mkdir -p "$fixture"
cp -r "$root/data" "$root/configs" "$fixture/"
"$dlctl" train "$fixture/configs/breast_cancer.yaml" -q --set train.epochs=2 \
    --run-dir "$fixture/run" > /dev/null || { echo "FAIL: the fixture run did not train"; exit 1; }
chmod -R a-w "$fixture"
fixture_sums() { (cd "$fixture" && find . -type f -print0 | sort -z | xargs -0 sha1sum); }
good_sums=$(fixture_sums)

passed=0
failed=0
fail_case() {
    echo "FAIL: $case_name: $*"
    failed=$((failed + 1))
}

# judge RC ARG...: checks a finished case (exit RC of `dlctl ARG...`, its stderr.txt) against
# $expected and $message.
judge() {
    local rc=$1
    shift
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        fail_case "hung (no exit within $timeout_s s): dlctl $*"
    elif [ "$rc" -ne "$expected" ]; then
        fail_case "exit $rc, expected $expected: dlctl $*"
        sed 's/^/    /' stderr.txt | head -n 8
    elif [ -n "$message" ] && ! grep -qF -- "$message" stderr.txt; then
        fail_case "stderr lacks '$message': dlctl $*"
        sed 's/^/    /' stderr.txt | head -n 8
    elif grep -qE 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:' stderr.txt; then
        fail_case "a sanitizer report: dlctl $*"
        grep -m 3 -E 'Sanitizer|runtime error' stderr.txt | sed 's/^/    /'
    elif [ "$(fixture_sums)" != "$good_sums" ]; then
        fail_case "a good file changed: dlctl $*"
    else
        passed=$((passed + 1))
        return 0
    fi
    return 1
}

# hostile "what" EXIT "message" ARG...: the case described at the top of this file.
hostile() {
    case_name=$1 expected=$2 message=$3
    shift 3
    local rc=0
    timeout -k 5 "$timeout_s" "$dlctl" "$@" > stdout.txt 2> stderr.txt < /dev/null || rc=$?
    judge "$rc" "$@"
}

# signalled "what" SIGNAL WHEN EXIT "message" ARG...: starts `dlctl ARG...`, sends SIGNAL once
# the file WHEN exists (30 s at most), then judges how it ended as `hostile` does.
signalled() {
    case_name=$1 expected=$4 message=$5
    local signal=$2 when=$3 rc=0
    shift 5
    # A background job starts with SIGINT ignored; a terminal's Ctrl-C finds it at its default.
    env --default-signal=INT "$dlctl" "$@" > stdout.txt 2> stderr.txt < /dev/null &
    local pid=$!
    for _ in $(seq 300); do compgen -G "$when" > /dev/null && break; sleep 0.1; done
    kill "-$signal" "$pid"
    ( sleep "$timeout_s"; kill -KILL "$pid" 2> /dev/null ) &
    local watchdog=$!
    wait "$pid" || rc=$?
    kill "$watchdog" 2> /dev/null
    wait "$watchdog" 2> /dev/null
    judge "$rc" "$@"
}

# repeated_csv SRC DST N: DST is the CSV SRC with its rows repeated N times (a large input).
repeated_csv() {
    python3 - "$@" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
with open(sys.argv[2], "w") as out:
    out.write(lines[0] + "\n")
    for _ in range(int(sys.argv[3])):
        out.write("\n".join(lines[1:]) + "\n")
PY
}

# reseal FILE: rewrites FILE's checksum to match its bytes, as docs/checkpoints.md defines it.
reseal() {
    python3 - "$1" <<'PY'
import json, struct, sys, zlib
path = sys.argv[1]
raw = open(path, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
old = json.loads(raw[8:8 + n])["__metadata__"]["checksum"].encode()
zeroed = raw.replace(b'"checksum":"' + old, b'"checksum":"crc32:00000000', 1)
crc = b"crc32:%08x" % zlib.crc32(zeroed)
open(path, "wb").write(zeroed.replace(b'"checksum":"crc32:00000000', b'"checksum":"' + crc, 1))
PY
}

# with_metadata IN OUT KEY PYTHON: OUT is checkpoint IN with metadata KEY replaced by the value
# of the Python expression PYTHON (`m` is the metadata dict, `j` KEY's value parsed as JSON),
# the header rebuilt and the checksum resealed.
with_metadata() {
    python3 - "$@" <<'PY'
import json, struct, sys
src, dst, key, expr = sys.argv[1:5]
raw = open(src, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
m = header["__metadata__"]
j = json.loads(m[key]) if key in m and m[key][:1] in "{[" else m.get(key)
value = eval(expr)
if value is None:
    m.pop(key, None)
else:
    m[key] = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
open(dst, "wb").write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
PY
    reseal "$2"
}

status=0
for cases in "$@"; do
    cases=$(cd "$(dirname "$cases")" && pwd)/$(basename "$cases")
    work=$tmp/work-$(basename "$cases" .sh)
    mkdir -p "$work"
    # shellcheck source=/dev/null
    (cd "$work" && source "$cases" && echo "$passed $failed" > "$work/.counts") || status=1
    read -r p f < "$work/.counts" || { echo "FAIL: $cases stopped early"; status=1; continue; }
    echo "$(basename "$cases"): $p passed, $f failed"
    [ "$f" -eq 0 ] || status=1
done
exit $status
