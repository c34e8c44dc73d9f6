#!/usr/bin/env python3
"""`dlctl export` against `dlctl predict`: trains small models of every layer and preprocessing
kind on the bundled datasets, exports each to ONNX (with --verify), then runs the graph with ONNX
Runtime on the CSV as pandas reads it and checks its outputs equal `dlctl predict`'s to 1e-5
(cases named *-calibrated go through `dlctl calibrate` first).
Exits 77 (skipped) without onnxruntime, numpy or pandas.

Usage: python3 scripts/check_onnx_export.py --dlctl build/bin/dlctl [--cases NAME,...]
"""
import argparse
import io
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import onnxruntime as ort
    import pandas as pd
except ImportError as e:
    print(f"skipped: {e}")
    sys.exit(77)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
NA_VALUES = ["", "NA", "N/A", "NaN", "null", "?"]  # dlctl's default data.na_values
TOLERANCE = 1e-5

BIN_LAYERS = ("[{type: bin_embedding, units: 8}, {type: dense, units: 16, activation: gelu}, "
              "{type: layer_norm}, {type: dense, units: 3, activation: softmax}]")
NORM_LAYERS = ("[{type: dense, units: 16, activation: elu}, {type: batch_norm}, "
               "{type: dense, units: 16, activation: mish}, {type: scale}, "
               "{type: activation, activation: swish, parametric: true}, "
               "{type: dense, units: 1, activation: linear}]")
CATEGORY_LAYERS = ("[{type: category_embedding, units: 4}, {type: periodic_embedding, units: 8, "
                   "frequencies: 8}, {type: dense, units: 16, activation: leaky_relu}, "
                   "{type: dense, units: 3, activation: softmax}]")

# name: (csv, target, train arguments, export arguments)
CASES = {
    "penguins-default": ("penguins.csv", "species", [], []),
    "penguins-tabm": ("penguins.csv", "species", ["--preset", "tabm"], []),
    "penguins-category-embedding": ("penguins.csv", "species", [
        "--preset", "fast", "--set", "data.embed_categories=2",
        "--set", "model.layers=" + CATEGORY_LAYERS], []),
    "penguins-cv-ensemble": ("penguins.csv", "species", ["--preset", "fast", "--set",
                                                         "train.cv.folds=3"], []),
    "breast-cancer-realmlp": ("breast_cancer.csv", "target", ["--preset", "realmlp"], []),
    "breast-cancer-mlp": ("breast_cancer.csv", "target", ["--preset", "mlp"], []),
    "diabetes-realmlp": ("diabetes.csv", "progression", ["--preset", "realmlp"], []),
    "diabetes-layers": ("diabetes.csv", "progression", [
        "--preset", "fast", "--set", "data.normalize=minmax",
        "--set", "model.layers=" + NORM_LAYERS], []),
    "wine-bins-opset13": ("wine.csv", "cultivar", [
        "--preset", "fast", "--set", "data.normalize=piecewise_linear",
        "--set", "model.layers=" + BIN_LAYERS], ["--opset", "13"]),
    # Rows with a missing number are refused: NaN probabilities and an empty label.
    "penguins-refusals": ("penguins.csv", "species", ["--preset", "fast", "--set",
                                                      "data.missing.numeric=drop_row"], []),
    # int8 weights: near dlctl predict, not equal (--calibrate prints the metrics of both).
    "breast-cancer-int8": ("breast_cancer.csv", "target", [], ["--int8", "--calibrate"]),
    "wine-bins": ("wine.csv", "cultivar", [
        "--preset", "fast", "--set", "data.normalize=piecewise_linear",
        "--set", "model.layers=" + BIN_LAYERS], []),
    # Calibrated (dlctl calibrate on the same CSV) before the export: the graph divides the
    # logits by the temperature, a binary model's and each member's of an ensemble.
    "breast-cancer-calibrated": ("breast_cancer.csv", "target", ["--preset", "mlp"], []),
    "penguins-tabm-calibrated": ("penguins.csv", "species", ["--preset", "tabm"], []),
}


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"FAILED ({done.returncode}): {' '.join(cmd)}\n{done.stderr}")
    return done.stdout


def checkpoint_of(run_dir):
    ensemble = os.path.join(run_dir, "checkpoints", "ensemble.json")
    if os.path.exists(ensemble):
        return ensemble
    return os.path.join(run_dir, "checkpoints", "best.safetensors")


def feeds_from_csv(session, csv):
    """The graph's inputs from the CSV as pandas reads it: floats (NaN when missing), strings
    ("" when missing)."""
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    feeds = {}
    for node in session.get_inputs():
        cells = frame[node.name].str.strip()
        missing = cells.isin(NA_VALUES)
        if node.type == "tensor(string)":
            feeds[node.name] = np.where(missing, "", cells).astype(object)
        else:
            numbers = pd.to_numeric(cells.where(~missing), errors="coerce")
            feeds[node.name] = numbers.to_numpy(np.float64).astype(np.float32)
    return feeds


def refused_rows(name, session, csv, complete):
    """Checks the graph's outputs of rows with a missing number are NaN with an empty label;
    writes the other rows to the CSV `complete` and returns its path."""
    feeds = feeds_from_csv(session, csv)
    refused = np.zeros(len(next(iter(feeds.values()))), dtype=bool)
    for node in session.get_inputs():
        if node.type != "tensor(string)":
            refused |= np.isnan(feeds[node.name])
    outputs = dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))
    ok = (refused.any() and np.isnan(outputs["probabilities"][refused]).all()
          and (outputs["label"][refused] == "").all()
          and not np.isnan(outputs["probabilities"][~refused]).any())
    print(f"{name:30s} rows {int(refused.sum()):4d} refused: NaN and no label  "
          f"{'ok' if ok else 'FAILED'}")
    if not ok:
        raise SystemExit(f"{name}: refused rows are not NaN")
    pd.read_csv(csv, dtype=str, keep_default_na=False)[~refused].to_csv(complete, index=False)
    return complete


def compare(name, session, csv, predictions, tolerance=TOLERANCE, label_share=0.0):
    outputs = dict(zip([o.name for o in session.get_outputs()],
                       session.run(None, feeds_from_csv(session, csv))))
    expected = pd.read_csv(io.StringIO(predictions), dtype={"prediction": str})
    if "prediction" in outputs:
        want = expected["prediction"].astype(np.float64).to_numpy()
        got = outputs["prediction"].astype(np.float64)
        labels_differ = 0
    else:
        columns = [c for c in expected.columns if c.startswith("prob_")]
        want = expected[columns].to_numpy(np.float64)
        got = outputs["probabilities"].astype(np.float64)
        labels_differ = int((outputs["label"].astype(str) != expected["prediction"].to_numpy()).sum())
    difference = float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))))
    ok = (difference <= tolerance and labels_differ <= label_share * len(expected)
          and got.shape == want.shape)
    print(f"{name:30s} rows {len(expected):4d}  largest difference {difference:.2e}  "
          f"labels differing {labels_differ}  {'ok' if ok else 'FAILED'}")
    return ok


def check_case(dlctl, work, name, case):
    csv, target, train_args, export_args = case
    csv = os.path.join(DATA, csv)
    run_dir = os.path.join(work, name)
    run([dlctl, "train", csv, "--target", target, "--run-dir", run_dir, "--set",
         "train.epochs=3", "-q", *train_args])
    checkpoint = checkpoint_of(run_dir)
    if name.endswith("-calibrated"):
        calibrated = os.path.join(work, name + ".safetensors")
        run([dlctl, "calibrate", checkpoint, "--data", csv, "-o", calibrated, "-q"])
        checkpoint = calibrated
    model = os.path.join(work, name + ".onnx")
    if "--calibrate" in export_args:
        export_args = [a if a != "--calibrate" else f"--calibrate={csv}" for a in export_args]
    exported = run([dlctl, "export", checkpoint, "-o", model, "-q", *export_args])
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    if name.endswith("-refusals"):
        csv = refused_rows(name, session, csv, os.path.join(work, name + ".csv"))
    run([dlctl, "export", checkpoint, "-o", model, "--verify", csv, "-q", *export_args])
    predictions = run([dlctl, "predict", csv, "--checkpoint", checkpoint, "-q"])
    if "--int8" in export_args:
        if "onnx int8" not in exported or "file size" not in exported:
            raise SystemExit(f"{name}: --calibrate printed no comparison:\n{exported}")
        return compare(name, session, csv, predictions, tolerance=0.05, label_share=0.01)
    return compare(name, session, csv, predictions)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dlctl", required=True)
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    args = parser.parse_args()
    failed = []
    with tempfile.TemporaryDirectory() as work:
        for name in args.cases.split(","):
            if not check_case(os.path.abspath(args.dlctl), work, name, CASES[name]):
                failed.append(name)
    if failed:
        sys.exit(f"ONNX outputs differ from dlctl predict: {', '.join(failed)}")


if __name__ == "__main__":
    main()
