#!/usr/bin/env python3
"""Batch prediction speed of `dlctl predict` against pandas + ONNX Runtime on the exported model,
side by side in one run, and the cold start of a one-row `dlctl predict`.

Trains a model on data/penguins.csv (--preset, default dlctl's default), exports it with
`dlctl export`, writes a CSV of --rows rows drawn from penguins.csv (numbers jittered, missing
cells kept), then alternately times, each in a fresh process, end to end:

  dlctl:  `dlctl predict big.csv --checkpoint best.safetensors -o out.csv`
  python: python3 -c: import pandas and onnxruntime, `pandas.read_csv`, the graph's inputs,
          `InferenceSession.run` in chunks of --chunk rows, `DataFrame.to_csv` of the same
          columns dlctl writes (prediction and one prob_<label> a class)

and reports the median seconds, rows/s, their ratio and each one's peak RSS. Then it times a
one-row `dlctl predict` --cold times (median and best milliseconds, process start to exit).

    python3 -m pip install onnxruntime pandas numpy    # once
    python3 scripts/bench_predict.py --dlctl build/bin/dlctl
"""

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

from bench_csv import MEASURE  # a command's wall seconds and peak RSS, in a fresh process

ROOT = pathlib.Path(__file__).resolve().parent.parent

PYTHON_PIPELINE = r"""
import sys
import numpy as np, pandas as pd, onnxruntime as ort
model, data, out, chunk = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
na = ["", "NA", "N/A", "NaN", "null", "?"]
session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
frame = pd.read_csv(data, na_values=na, keep_default_na=False)
feeds = {}
for node in session.get_inputs():
    column = frame[node.name]
    if node.type == "tensor(string)":
        feeds[node.name] = column.fillna("").astype(str).to_numpy(object)
    else:
        feeds[node.name] = column.to_numpy(np.float32)
labels = session.get_modelmeta().custom_metadata_map["labels"].split("\n")
parts = [[], []]
for start in range(0, len(frame), chunk):
    label, probabilities = session.run(None, {k: v[start:start + chunk] for k, v in feeds.items()})
    parts[0].append(label)
    parts[1].append(probabilities)
result = pd.DataFrame(np.concatenate(parts[1]), columns=["prob_" + l for l in labels])
result.insert(0, "prediction", np.concatenate(parts[0]))
result.to_csv(out, index=False)
"""



def measured(cmd):
    """(seconds, peak RSS in MB) of `cmd` in a fresh process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True)
    code, peak_kb, seconds = out.stdout.split()
    if code != "0":
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return float(seconds), int(peak_kb) / 1024


def write_rows(path, rows, seed=0):
    source = pd.read_csv(ROOT / "data" / "penguins.csv", keep_default_na=False, dtype=str)
    rng = np.random.default_rng(seed)
    picked = source.iloc[rng.integers(0, len(source), size=rows)].reset_index(drop=True)
    for column in ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"):
        numbers = pd.to_numeric(picked[column], errors="coerce")
        jittered = (numbers * (1 + 0.02 * rng.standard_normal(rows))).round(2)
        picked[column] = jittered.map(lambda v: "" if np.isnan(v) else f"{v:g}")
    picked.drop(columns=["species"]).to_csv(path, index=False)


def run(cmd):
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dlctl", required=True)
    parser.add_argument("--preset", default="", help="dlctl train --preset (default: dlctl's)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=65536, help="ONNX Runtime rows a run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cold", type=int, default=30, help="one-row predicts to time")
    args = parser.parse_args()
    dlctl = os.path.abspath(args.dlctl)
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        preset = ["--preset", args.preset] if args.preset else []
        run([dlctl, "train", str(ROOT / "data" / "penguins.csv"), "--target", "species",
             "--run-dir", str(work / "run"), "-q", *preset])
        checkpoint = str(work / "run" / "checkpoints" / "best.safetensors")
        run([dlctl, "export", checkpoint, "-o", str(work / "model.onnx"), "-q"])
        write_rows(work / "big.csv", args.rows)
        size = (work / "big.csv").stat().st_size / 1e6
        print(f"{args.rows} rows, {size:.1f} MB; model: {preset or 'default preset'}")
        sides = {
            "dlctl": [dlctl, "predict", str(work / "big.csv"), "--checkpoint", checkpoint,
                      "-o", str(work / "dlctl.csv"), "-q"],
            "python": [sys.executable, "-c", PYTHON_PIPELINE, str(work / "model.onnx"),
                       str(work / "big.csv"), str(work / "python.csv"), str(args.chunk)],
        }
        times = {name: [] for name in sides}
        peaks = {name: [] for name in sides}
        for _ in range(args.repeats):
            for name, cmd in sides.items():
                seconds, peak = measured(cmd)
                times[name].append(seconds)
                peaks[name].append(peak)
        same = pd.read_csv(work / "dlctl.csv")["prediction"].equals(
            pd.read_csv(work / "python.csv")["prediction"])
        for name in sides:
            median = statistics.median(times[name])
            print(f"{name:7s} median {median:6.2f} s ({args.rows / median / 1e6:.2f} M rows/s), "
                  f"best {min(times[name]):6.2f} s, peak RSS {max(peaks[name]):7.0f} MB")
        ratio = statistics.median(times["python"]) / statistics.median(times["dlctl"])
        print(f"dlctl / python speed (medians): {ratio:.2f}x; labels identical: {same}")

        (work / "one.csv").write_text(
            "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n"
            "Biscoe,45.1,14.5,215,5000,female,2008\n")
        one = [dlctl, "predict", str(work / "one.csv"), "--checkpoint", checkpoint, "-q"]
        cold = []
        for _ in range(args.cold):
            start = time.perf_counter()
            run(one)
            cold.append((time.perf_counter() - start) * 1000)
        print(f"one-row predict: median {statistics.median(cold):.1f} ms, "
              f"best {min(cold):.1f} ms over {args.cold}")


if __name__ == "__main__":
    main()
