#!/usr/bin/env python3
"""Runs the numpy snippet of docs/checkpoints.md on a checkpoint and checks that it reproduces
`dlctl predict` on the first rows of a CSV. Exits 77 (skipped) without numpy.

Usage: check_checkpoint_snippet.py --dlctl BINARY
"""
import argparse
import csv
import io
import os
import re
import subprocess
import sys
import tempfile

try:
    import numpy  # noqa: F401  (the snippet imports it)
except ImportError:
    print("skipped: numpy is not installed")
    sys.exit(77)

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("--dlctl", required=True)
args = parser.parse_args()

doc = open(os.path.join(root, "docs", "checkpoints.md")).read()
snippet = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
namespace = {}
exec(snippet, namespace)

worst = 0.0
with tempfile.TemporaryDirectory() as work:
    # wine: gelu, batch norm, dropout and softmax; diabetes: regression with a scaled target;
    # penguins: string labels, categorical features, missing values; then the numeric maps and
    # ensembles (TabM-mini's scaled input and shared layers, BatchEnsemble and independent heads),
    # RealMLP's input scale and parametric activation, and periodic embeddings of the numeric
    # inputs among categorical ones, learned embeddings of categorical columns before them, and
    # a linear layer per column of piecewise-linear bins before those.
    tabm_mini = ("model.layers=[{type: ensemble, members: 4, scale: true}, {type: dense, units: "
                 "16, activation: relu, ensemble: shared}, {type: dense, units: 8, activation: "
                 "tanh}, {type: dense, units: 3, activation: softmax}]")
    tabm = ("model.layers=[{type: ensemble, members: 3}, {type: dense, units: 8, activation: "
            "relu}, {type: layer_norm}, {type: dense, units: 1}]")
    real = ("model.layers=[{type: scale}, {type: dense, units: 16}, {type: activation, "
            "activation: mish, parametric: true}, {type: dense, units: 3, activation: softmax}]")
    plr = ("model.layers=[{type: periodic_embedding, units: 4, frequencies: 3, sigma: 0.3}, "
           "{type: dense, units: 8, activation: relu}, {type: dense, units: 3, activation: "
           "softmax}]")
    categories = ("model.layers=[{type: category_embedding, units: 3}, {type: periodic_embedding, "
                  "units: 2, frequencies: 2, sigma: 0.3}, {type: dense, units: 8, activation: "
                  "relu}, {type: dense, units: 3, activation: softmax}]")
    bins = ("model.layers=[{type: bin_embedding, units: 3}, {type: category_embedding, units: 2}, "
            "{type: periodic_embedding, units: 2, frequencies: 2, sigma: 0.3}, {type: dense, "
            "units: 8, activation: relu}, {type: dense, units: 3, activation: softmax}]")
    # "calibrate": the checkpoint through `dlctl calibrate` (a temperature) before predicting.
    for config, data, sets, *calibrate in [("wine.yaml", "wine.csv", []),
                               ("penguins.yaml", "penguins.csv", [], "calibrate"),
                               ("breast_cancer.yaml", "breast_cancer.csv", [], "calibrate"),
                               ("penguins.yaml", "penguins.csv", [tabm_mini], "calibrate"),
                               ("diabetes.yaml", "diabetes.csv", []),
                               ("penguins.yaml", "penguins.csv", []),
                               ("penguins.yaml", "penguins.csv", ["data.normalize=quantile"]),
                               ("diabetes.yaml", "diabetes.csv", ["data.normalize=smooth_clip"]),
                               ("penguins.yaml", "penguins.csv",
                                ["data.normalize=piecewise_linear", "data.bins=5"]),
                               ("penguins.yaml", "penguins.csv", [tabm_mini]),
                               ("diabetes.yaml", "diabetes.csv", [tabm]),
                               ("penguins.yaml", "penguins.csv",
                                [real, "model.data_init=true", "model.parametrization=ntk"]),
                               ("penguins.yaml", "penguins.csv", [plr, "data.normalize=quantile",
                                                                  "data.missing.indicators=true"]),
                               ("penguins.yaml", "penguins.csv", [categories,
                                                                  "data.embed_categories=2"]),
                               ("penguins.yaml", "penguins.csv", [bins, "data.embed_categories=2",
                                                                  "data.normalize=piecewise_linear",
                                                                  "data.normalize_columns="
                                                                  "{body_mass_g: quantile}",
                                                                  "data.bins=4"])]:
        run = os.path.join(work, config + str(len(os.listdir(work))))
        extra = [arg for s in sets for arg in ("--set", s)]
        subprocess.run([args.dlctl, "train", os.path.join(root, "configs", config), "-q",
                        "--set", "train.epochs=3", "--run-dir", run, *extra], check=True,
                       stdout=subprocess.DEVNULL)
        ckpt = os.path.join(run, "checkpoints", "last.safetensors")
        csv_path = os.path.join(root, "data", data)
        if calibrate:
            calibrated = os.path.join(run, "calibrated.safetensors")
            subprocess.run([args.dlctl, "calibrate", ckpt, "--data", csv_path, "-o", calibrated,
                            "-q"], check=True, stdout=subprocess.DEVNULL)
            ckpt = calibrated
        out = subprocess.run([args.dlctl, "predict", csv_path, "--checkpoint", ckpt, "-q"],
                             check=True, capture_output=True, text=True).stdout
        predicted = list(csv.DictReader(io.StringIO(out)))
        rows = list(csv.DictReader(open(csv_path)))
        for row, expected in list(zip(rows, predicted))[:: max(1, len(rows) // 40)]:
            got = namespace["predict"](ckpt, {k: (None if v in ("NA", "") else v)
                                              for k, v in row.items()})
            for key, value in got.items():
                want = float(expected[key])
                error = abs(float(value) - want) / max(1.0, abs(want))
                worst = max(worst, error)
                if error > 1e-4:
                    print(f"{config}: {key} is {value} in numpy, {want} in dlctl predict")
                    sys.exit(1)
print(f"the docs snippet matches dlctl predict (largest relative difference {worst:.2e})")
