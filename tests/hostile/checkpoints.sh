# Hostile checkpoints: every one is refused by inspect, eval and predict with exit 4 before
# anything reads it as a model (tests/hostile/hostile.sh runs this file).
good=$fixture/run/checkpoints/last.safetensors
csv=$fixture/data/breast_cancer.csv

# refused FILE MESSAGE "what": the three readers refuse FILE naming the problem.
refused() {
    hostile "inspect: $3" 4 "$2" inspect "$1"
    hostile "eval: $3" 4 "$2" eval --checkpoint "$1"
    hostile "predict: $3" 4 "$2" predict "$csv" --checkpoint "$1"
}

# flip FILE OFFSET: flips the lowest bit of the byte at OFFSET (negative: from the end).
flip() {
    python3 - "$1" "$2" <<'PY'
import sys
path, at = sys.argv[1], int(sys.argv[2])
raw = bytearray(open(path, "rb").read())
raw[at] ^= 1
open(path, "wb").write(raw)
PY
}

header_bytes=$(python3 -c "import struct,sys; print(struct.unpack('<Q', open(sys.argv[1],'rb').read(8))[0])" "$good")

# Streams, devices and sizes.
refused /dev/zero "not a regular file" "/dev/zero is not read forever"
refused /dev/null "not a regular file" "/dev/null is a device"
mkfifo fifo.safetensors
refused fifo.safetensors "not a regular file" "a FIFO is not waited on"
mkdir dir.safetensors
refused dir.safetensors "is a directory" "a directory"
refused missing.safetensors "cannot open" "a missing file"
: > empty.safetensors
refused empty.safetensors "shorter than its 8-byte header length" "an empty file"
head -c 5 "$good" > short.safetensors
refused short.safetensors "shorter than its 8-byte header length" "five bytes"
head -c $((header_bytes + 8 - 10)) "$good" > cut-header.safetensors
refused cut-header.safetensors "exceeds the file" "cut inside its header"
head -c $((header_bytes + 8 + 100)) "$good" > cut-data.safetensors
refused cut-data.safetensors "is not a valid safetensors file" "cut inside its data"
{ cat "$good"; printf 'extra'; } > trailing.safetensors
refused trailing.safetensors "the tensors cover" "bytes after the last tensor"
python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<Q', 2**63) + b'{}')" > huge-length.safetensors
refused huge-length.safetensors "exceeds the file" "a header length of 2^63"
python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<Q', 200 << 20) + b' ' * (200 << 20))" > big-header.safetensors
refused big-header.safetensors "exceeds the file" "a 200 MB header"

# One flipped bit anywhere: header, metadata, data, the checksum itself.
for at in 0 9 40 $((header_bytes / 2)) $((header_bytes + 4)) $((header_bytes + 8)) -1 -400; do
    cp "$good" "flip$at.safetensors"
    flip "flip$at.safetensors" "$at"
    hostile "eval: one bit flipped at byte $at" 4 "'flip$at.safetensors'" eval --checkpoint "flip$at.safetensors"
done
cp "$good" flip-meta.safetensors
python3 - flip-meta.safetensors <<'PY'
import sys
path = sys.argv[1]
raw = bytearray(open(path, "rb").read())
at = raw.index(b"binary")
raw[at] ^= 1  # "binary" -> "cinary": still valid JSON
open(path, "wb").write(raw)
PY
refused flip-meta.safetensors "does not match its checksum" "one bit of the task metadata"
python3 - "$good" no-checksum.safetensors <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(raw.replace(b'"checksum":', b'"checksun":', 1))
PY
refused no-checksum.safetensors "has no checksum" "the checksum key renamed away"
with_metadata "$good" bad-checksum-form.safetensors format_version '"2"'
python3 - bad-checksum-form.safetensors <<'PY'
import sys
path = sys.argv[1]
raw = open(path, "rb").read()
at = raw.index(b'"checksum":"crc32:') + len(b'"checksum":"')
open(path, "wb").write(raw[:at] + b"md5:0000000000" + raw[at + 14:])
PY
refused bad-checksum-form.safetensors "is not a crc32:<8 hex digits> value" "a checksum of another kind"

# Metadata that is well-formed and sealed but does not fit the model.
with_metadata "$good" classes.safetensors task 'dict(j, task="multiclass", classes=3, labels=["B", "M", "X"])'
refused classes.safetensors "is not the saved spec's task" "a binary model claiming three classes"
with_metadata "$good" regression.safetensors task 'dict(j, task="regression", classes=0, labels=[])'
refused regression.safetensors "is not the saved spec's task" "a binary model claiming regression"
with_metadata "$good" target.safetensors task 'dict(j, target="radius_mean")'
refused target.safetensors "is not the saved spec's task" "another target column"
with_metadata "$good" labels.safetensors task 'dict(j, labels=["B"])'
refused labels.safetensors "task, classes and labels do not fit together" "one label for a binary task"
with_metadata "$good" scale.safetensors task 'dict(j, target_scale=0)'
refused scale.safetensors "target_scale is not positive" "a zero target scale"
with_metadata "$good" version.safetensors format_version '"9"'
refused version.safetensors "format version 9" "another format version"
with_metadata "$good" version1.safetensors format_version '"1"'
refused version1.safetensors "format version 1" "format version 1 (checksum of the data only)"
with_metadata "$good" foreign.safetensors format '"something-else"'
refused foreign.safetensors "not a dlctl checkpoint" "a foreign format"
with_metadata "$good" weights.safetensors format '"dlctl-weights"'
refused weights.safetensors "it holds only weights" "a weights file"
with_metadata "$good" no-spec.safetensors spec 'None'
refused no-spec.safetensors "invalid checkpoint metadata 'spec'" "no saved spec"
with_metadata "$good" bad-spec.safetensors spec '"model: [unclosed"'
refused bad-spec.safetensors "holds a spec this dlctl cannot read" "a saved spec that is not YAML"
with_metadata "$good" no-task.safetensors task 'None'
refused no-task.safetensors "invalid checkpoint metadata 'task'" "no task"
with_metadata "$good" task-text.safetensors task '"not json"'
refused task-text.safetensors "invalid checkpoint metadata 'task'" "a task that is not JSON"
with_metadata "$good" pre-empty.safetensors preprocessor 'dict(j, features=[])'
refused pre-empty.safetensors "invalid checkpoint metadata 'preprocessor'" "no features"
with_metadata "$good" pre-scale.safetensors preprocessor 'dict(j, features=[dict(j["features"][0], scale=-1)] + j["features"][1:])'
refused pre-scale.safetensors "has an invalid scale" "a negative scale"
with_metadata "$good" pre-type.safetensors preprocessor 'dict(j, features=[dict(j["features"][0], type="tensor")] + j["features"][1:])'
refused pre-type.safetensors "is not supported" "an unknown feature type"
with_metadata "$good" pre-map.safetensors preprocessor 'dict(j, features=[dict(j["features"][0], map="log")] + j["features"][1:])'
refused pre-map.safetensors "has an unknown map 'log'" "an unknown numeric map"
with_metadata "$good" pre-knots.safetensors preprocessor 'dict(j, features=[dict(j["features"][0], map="quantile", knots=[3.0, 1.0])] + j["features"][1:])'
refused pre-knots.safetensors "has invalid quantile knots" "quantile knots out of order"
with_metadata "$good" pre-noknots.safetensors preprocessor 'dict(j, features=[dict(j["features"][0], map="quantile", knots=[])] + j["features"][1:])'
refused pre-noknots.safetensors "has invalid quantile knots" "no quantile knots"
with_metadata "$good" pre-short.safetensors preprocessor 'dict(j, features=j["features"][1:])'
refused pre-short.safetensors "layers.0.dense.weight" "one feature fewer than the first layer's inputs"
with_metadata "$good" state.safetensors training_state 'dict(j, epoch=-3)'
refused state.safetensors "invalid checkpoint metadata 'training_state'" "a negative epoch"
with_metadata "$good" history.safetensors training_state 'dict(j, history=dict(j["history"], rows=[["1"]]))'
refused history.safetensors "a history row does not match its columns" "a ragged history"
with_metadata "$good" history-last.safetensors training_state 'dict(j, history=dict(j["history"], last=["1"]))'
refused history-last.safetensors "the last history row does not match its columns" "a short last history row"
with_metadata "$good" history-rows.safetensors training_state 'dict(j, history=dict(j["history"], rows=-2))'
refused history-rows.safetensors "must be unsigned integers" "a negative history row count"
with_metadata "$good" history-more.safetensors training_state 'dict(j, history=dict(j["history"], rows=j["epoch"] + 1))'
refused history-more.safetensors "more rows than epochs" "more history rows than epochs"
with_metadata "$good" version4.safetensors format_version '"4"'
refused version4.safetensors "this dlctl reads versions 2 and 3" "a format version from the future"
with_metadata "$good" data.safetensors data 'dict(j, rows=-1)'
refused data.safetensors "invalid checkpoint metadata 'data'" "a negative row count"

# Tensors that do not tile the data, or do not fit the model.
# tensors IN OUT PYTHON: rewrites the tensor entries (`h`, the header without __metadata__).
tensors() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, struct, sys
src, dst, expr = sys.argv[1:4]
raw = open(src, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__")
h = header
exec(expr)
h["__metadata__"] = meta
text = json.dumps(h, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
open(dst, "wb").write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
PY
    reseal "$2"
}
w=layers.0.dense.weight
tensors "$good" overlap.safetensors "
moved = next(k for k, v in h.items() if v['data_offsets'][0] > 0)
first = h[moved]['data_offsets']
h[moved]['data_offsets'] = [first[0] - 4, first[1] - 4]"
refused overlap.safetensors "tensors overlap or leave a gap" "two tensors over the same bytes"
tensors "$good" dtype.safetensors "h['$w']['dtype'] = 'F64'"
refused dtype.safetensors "only F32 is supported" "a float64 tensor"
tensors "$good" shape.safetensors "h['$w']['shape'] = h['$w']['shape'][::-1]"
refused shape.safetensors "layers.0.dense.weight" "a transposed weight"
tensors "$good" negative.safetensors "h['$w']['shape'] = [-1, 2]"
refused negative.safetensors "has a negative dimension" "a negative dimension"
tensors "$good" overflow.safetensors "h['$w']['shape'] = [2**62, 2**62]"
refused overflow.safetensors "is larger than the file" "a shape whose element count overflows"
tensors "$good" missing.safetensors "del h['$w']"
refused missing.safetensors "tensors overlap or leave a gap" "a weight missing"
tensors "$good" renamed.safetensors "h['layers.9.dense.weight'] = h.pop('$w')"
refused renamed.safetensors "layers.0.dense.weight" "a weight under another layer's name"
tensors "$good" fields.safetensors "h['$w'] = {'dtype': 'F32'}"
refused fields.safetensors "lacks dtype, shape or data_offsets" "a tensor entry without shape"
tensors "$good" offsets.safetensors "h['$w']['data_offsets'] = [4, 2]"
refused offsets.safetensors "has data offsets outside the file" "offsets that run backwards"
