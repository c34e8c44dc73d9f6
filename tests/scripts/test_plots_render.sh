#!/bin/sh
# CTest: the SVG plots dlctl writes (curves.svg, confusion.svg, eval --plot for binary,
# multiclass and regression, report --plot, explain --plot) are well-formed and render to PNG images with
# content: each PNG must be several times the size of a blank image of the same dimensions.
# Skipped (exit 77) without rsvg-convert (Debian: librsvg2-bin).
# Usage: tests/scripts/test_plots_render.sh DLCTL_BINARY
set -eu
cd "$(dirname "$0")/../.."
dlctl=$1
command -v rsvg-convert >/dev/null || { echo "SKIP: rsvg-convert not installed (librsvg2-bin)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

train() { "$dlctl" train "$1" -q --run-dir "$work/$2" --set train.epochs=4 >/dev/null; }
train configs/breast_cancer.yaml binary
train configs/penguins.yaml multiclass
train configs/diabetes.yaml regression
"$dlctl" train configs/breast_cancer.yaml -q --run-dir "$work/binary_lr" --set train.epochs=2 \
    --set train.optimizer.lr=0.1 >/dev/null
for run in binary multiclass regression; do
    "$dlctl" -q eval --checkpoint "$work/$run/checkpoints/last.safetensors" \
        --plot "$work/eval_$run.svg" >/dev/null
done
"$dlctl" -q report "$work/binary" "$work/binary_lr" --metric val_loss --plot "$work/sweep.svg" >/dev/null
"$dlctl" -q explain "$work/multiclass/checkpoints/last.safetensors" --repeats 2 \
    --plot "$work/importance.svg" >/dev/null
[ ! -f "$work/regression/confusion.svg" ] || fail "a regression run drew a confusion matrix"

for svg in binary/curves binary/confusion multiclass/curves multiclass/confusion \
    regression/curves eval_binary eval_multiclass eval_regression sweep importance; do
    file="$work/$svg.svg"
    [ -s "$file" ] || fail "$svg.svg was not written"
    if command -v xmllint >/dev/null; then xmllint --noout "$file" || fail "$svg.svg is not well-formed XML"; fi
    rsvg-convert "$file" -o "$work/image.png" || fail "rsvg-convert cannot render $svg.svg"
    [ "$(head -c 8 "$work/image.png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ] ||
        fail "$svg.png is not a PNG"
    width=$(sed -n 's/.*<svg [^>]*width="\([0-9.]*\)".*/\1/p' "$file" | head -n 1)
    height=$(sed -n 's/.*<svg [^>]*height="\([0-9.]*\)".*/\1/p' "$file" | head -n 1)
    printf '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s"><rect width="100%%" height="100%%" fill="#ffffff"/></svg>\n' \
        "$width" "$height" >"$work/blank.svg"
    rsvg-convert "$work/blank.svg" -o "$work/blank.png"
    size=$(wc -c <"$work/image.png") blank=$(wc -c <"$work/blank.png")
    [ "$size" -gt $((3 * blank)) ] || fail "$svg.png looks empty: $size bytes, a blank one $blank"
    echo "$svg.svg: ${width}x${height}, PNG $size bytes (blank: $blank)"
done
grep -q '>ROC curve<' "$work/eval_binary.svg" || fail "eval --plot (binary) has no ROC panel"
grep -q '>calibration<' "$work/eval_binary.svg" || fail "eval --plot (binary) has no calibration panel"
grep -q '>train.optimizer.lr<' "$work/sweep.svg" || fail "report --plot has no panel for the varied lr"
grep -q '>learning rate<' "$work/binary/curves.svg" || fail "curves.svg has no learning-rate panel"
grep -q '>bill_length_mm<' "$work/importance.svg" || fail "explain --plot has no bar for bill_length_mm"
echo "plots: every SVG is well-formed and renders"
