# Hostile experiment specs: each is refused with exit 2 and a message naming where
# (tests/hostile/hostile.sh runs this file).
cfg=$fixture/configs/breast_cancer.yaml
data=$fixture/data/breast_cancer.csv

# spec NAME TEXT: writes NAME.yaml, a spec whose data.path is the bundled breast_cancer.csv.
spec() { printf '%s\n' "$2" | sed "s|DATA|$data|" > "$1.yaml"; }
base='name: hostile
data: {path: DATA, target: target, drop: [id]}
model:
  layers:
    - {type: dense, units: 4, activation: relu}
    - {type: dense, units: 1, activation: sigmoid}
train: {epochs: 1, loss: binary_crossentropy}'

# The file itself.
hostile "spec: /dev/zero is not read forever" 2 "holds more than" validate /dev/zero
hostile "spec: /dev/null is an empty spec" 2 "" validate /dev/null
head -c 5000000 /dev/zero | tr '\0' '#' > huge.yaml
hostile "spec: a 5 MB file is over the limit" 2 "more than the 4.0 MB a spec may be" validate huge.yaml
mkdir adir
hostile "spec: a directory" 2 "is a directory" validate adir
hostile "spec: a missing file" 2 "cannot open spec 'missing.yaml'" validate missing.yaml
printf 'name: [unclosed\n' > unclosed.yaml
hostile "spec: YAML that does not parse names line and column" 2 "unclosed.yaml:" validate unclosed.yaml
printf '\xff\xfe\x00n\x00a\x00m\x00e\x00' > utf16.yaml
hostile "spec: UTF-16 bytes" 2 "utf16.yaml" validate utf16.yaml
printf -- '- a\n- b\n' > list.yaml
hostile "spec: a list at the top" 2 "list.yaml" validate list.yaml
printf 'just text\n' > scalar.yaml
hostile "spec: a scalar at the top" 2 "scalar.yaml" validate scalar.yaml
printf '%s\n' "$base" | sed 's/^name: hostile/name: hostile\nunknown_key: 1/' | sed "s|DATA|$data|" > unknown.yaml
hostile "spec: an unknown key names its line" 2 "unknown.yaml:2:" validate unknown.yaml
python3 -c "
lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
lines += ['a%d: &a%d [%s]' % (i, i, ', '.join(['*a%d' % (i - 1)] * 10)) for i in range(1, 10)]
print('\\n'.join(lines + ['name: *a9']))" > bomb.yaml
hostile "spec: an anchor bomb (billion laughs) is not expanded forever" 2 "bomb.yaml" validate bomb.yaml

# Keys given twice: YAML lets the first win silently; a strict spec names both lines.
spec twice-model "$base
model: {layers: [{type: dense, units: 1, activation: sigmoid}]}"
hostile "spec: two model sections" 2 "twice-model.yaml:8:1: duplicate key 'model' (first at line 3)" validate twice-model.yaml
spec twice-units "$(printf '%s\n' "$base" | sed 's/units: 4,/units: 4, units: 8,/')"
hostile "spec: a key twice in a flow mapping" 2 "duplicate key 'units'" validate twice-units.yaml
spec twice-top "name: first
$base"
hostile "spec: name twice" 2 "duplicate key 'name' (first at line 1)" validate twice-top.yaml
spec twice-train "$(printf '%s\n' "$base" | sed 's/loss: binary_crossentropy}/loss: binary_crossentropy, epochs: 3}/')"
hostile "spec: epochs twice in train" 2 "duplicate key 'epochs'" train twice-train.yaml

# A name is one directory under the output directory, nothing else.
n=0
for name in "../escape" "a/b" ".." "."; do
    n=$((n + 1))
    spec "name$n" "$(printf '%s\n' "$base" | sed "s|^name: hostile|name: \"$name\"|")"
    hostile "spec: name '$name' is refused" 2 "name: must be one directory name" validate "name$n.yaml"
done
spec backslash "$(printf '%s\n' "$base" | sed 's|^name: hostile|name: a\\b|')"
hostile "spec: a name with a backslash is refused" 2 "name: must be one directory name" validate backslash.yaml
hostile "train: --set name=../x is refused before anything is written" 2 "name: must be one directory name" \
    train "$cfg" --set "name=../outside"
[ ! -e outside ] && [ ! -e runs ] || fail_case "a run directory was made for a name with ../"
