#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a trained model: installs the Debian packages
# dlctl needs, builds it, trains the bundled breast-cancer example, evaluates its best checkpoint
# on the held-out test split, predicts on the CSV and shows where the outputs are.
# Usage: scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
scripts/build.sh build -- dlctl

echo "== training configs/breast_cancer.yaml (logs on stderr) =="
run=$(build/bin/dlctl train configs/breast_cancer.yaml | tail -1)

echo
echo "== outputs in $run =="
ls -l "$run"
echo
echo "== last epochs (metrics.csv) =="
tail -n 3 "$run/metrics.csv"
echo
echo "== held-out test metrics (summary.json) =="
sed -n '/"test": {/,/}/p' "$run/summary.json"
echo
echo "== dlctl inspect $run/checkpoints/best.safetensors =="
build/bin/dlctl inspect "$run/checkpoints/best.safetensors"
echo
echo "== dlctl eval --checkpoint $run/checkpoints/best.safetensors (the held-out test split) =="
build/bin/dlctl eval --checkpoint "$run/checkpoints/best.safetensors" --output "$run/eval.json"
echo
echo "== dlctl predict data/breast_cancer.csv --id-column id (first rows of $run/predictions.csv) =="
build/bin/dlctl predict data/breast_cancer.csv --checkpoint "$run/checkpoints/best.safetensors" \
    --id-column id -o "$run/predictions.csv"
head -n 4 "$run/predictions.csv"
echo
echo "Next: build/bin/dlctl train configs/diabetes.yaml   (regression)"
echo "      build/bin/dlctl train --help                  (overrides, run directories, devices)"
