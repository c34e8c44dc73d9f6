#!/bin/sh
# The example sweep: 5 learning rates x 3 widths x 2 dropout rates of configs/breast_cancer_sweep.yaml
# (30 runs, 2 at a time), ranked by validation log loss, with the sweep plot.
# Under two minutes on 2 cores. Run again, it skips the finished runs.
# Usage: scripts/example_sweep.sh [OUT_DIR]     (default runs/example-sweep)
set -eu
cd "$(dirname "$0")/.."
out=${1:-runs/example-sweep}
[ -x build/bin/dlctl ] || scripts/build.sh build
scripts/sweep.sh configs/breast_cancer_sweep.yaml --out "$out" -j 2 \
    --grid train.optimizer.lr=0.0001,0.0003,0.001,0.003,0.01 \
    --grid model.layers.0.units=8,32,128 \
    --grid model.layers.1.rate=0,0.4 >/dev/null
build/bin/dlctl report "$out" --metric val_log_loss --plot "$out/sweep.svg"
echo "sweep plot: $out/sweep.svg; each run's curves: $out/<run>/curves.svg" >&2
