#!/usr/bin/env python3
"""CSV loading speed of dlctl and pandas on the same file, side by side in one run.

Generates a numeric CSV shaped like Fashion-MNIST (a label and 784 pixel columns of 0..255; about
213 MB at the default 76,000 rows; with --values floats, 784 columns of float64s written in full,
as pandas' to_csv writes them), then alternately times

  dlctl:  `dlctl validate` on a spec over that file: its log line "read N rows ... in S s ...;
          peak memory so far M MB" is the CSV reader alone (parsing into float32 columns) and the
          process's peak RSS up to the end of reading (the loader's, binary and libraries
          included); the command's peak RSS covers the whole data step (reading, splitting,
          fitting and encoding every split).
  pandas: `pandas.read_csv(file)` in a fresh Python process (default C engine), and that
          process's peak RSS minus its RSS after importing pandas.

and reports MB/s of each, their ratio and peak memory against the float32 size of the data.
Each side runs --repeats times, alternating; the ratio of the best times and that of the medians
are reported (this 2-core VM is noisy).

    pip install pandas numpy             # once
    python3 scripts/bench_csv.py         # after scripts/build.sh
"""

import argparse
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent

PANDAS = r"""
import resource, sys, time
import pandas as pd
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, frame.shape[0], frame.shape[1], base, peak)
"""

MEASURE = r"""
import resource, subprocess, sys, time
start = time.perf_counter()
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
sys.stderr.write(result.stderr)
print(result.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, seconds)
"""


def write_csv(path, rows, values, seed=1):
    rng = np.random.default_rng(seed)
    if values == "pixels":
        block = rng.integers(0, 256, size=(2000, 785))
        block[:, 0] = rng.integers(0, 10, size=2000)
        lines = "\n".join(",".join(map(str, row)) for row in block.tolist()) + "\n"
    else:  # float64s in full, as pandas' to_csv and Python's repr write them
        labels = rng.integers(0, 10, size=2000).tolist()
        block = rng.standard_normal(size=(2000, 784)).tolist()
        lines = "".join(f"{label}," + ",".join(map(repr, row)) + "\n"
                        for label, row in zip(labels, block))
    header = "label," + ",".join(f"pixel{i}" for i in range(1, 785)) + "\n"
    with open(path, "w") as out:
        out.write(header)
        for _ in range(rows // 2000):
            out.write(lines)


def dlctl_run(binary, spec):
    out = subprocess.run([sys.executable, "-c", MEASURE, binary, "validate", str(spec)],
                         capture_output=True, text=True, check=True)
    code, peak_kb, whole = out.stdout.split()
    if code != "0":
        raise SystemExit("dlctl validate failed:\n" + out.stderr)
    match = re.search(r"read (\d+) rows x (\d+) columns \(([\d.]+) MB\) in ([\d.]+) s.*"
                      r"peak memory so far (\d+) MB", out.stderr)
    return (float(match.group(4)), int(match.group(1)), int(peak_kb) * 1024,
            int(match.group(5)) * 1e6, float(whole))


def pandas_run(path):
    out = subprocess.run([sys.executable, "-c", PANDAS, str(path)], capture_output=True,
                         text=True, check=True)
    seconds, rows, cols, base_kb, peak_kb = out.stdout.split()
    return float(seconds), int(rows), (int(peak_kb) - int(base_kb)) * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dlctl", default=str(ROOT / "build" / "bin" / "dlctl"))
    parser.add_argument("--rows", type=int, default=76_000, help="a multiple of 2000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--values", choices=["pixels", "floats"], default="pixels",
                        help="integers 0..255 (default), or float64s in full (try --rows 8000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        csv = work / "fashion_like.csv"
        write_csv(csv, args.rows, args.values)
        spec = work / "spec.yaml"
        spec.write_text(
            "data: {path: fashion_like.csv, target: label, cache: false,\n"
            "       split: {test: 0.1, validation: 0.1}}\n"
            "model: {layers: [{type: dense, units: 10, activation: softmax}]}\n"
            "train: {loss: categorical_crossentropy}\n")
        megabytes = os.path.getsize(csv) / 1e6
        float_bytes = args.rows * 785 * 4
        runs = {"dlctl": [], "pandas": []}
        for _ in range(args.repeats):
            runs["dlctl"].append(dlctl_run(args.dlctl, spec))
            runs["pandas"].append(pandas_run(csv))
        best = {name: min(r, key=lambda run: run[0]) for name, r in runs.items()}
        median = {name: statistics.median(run[0] for run in r) for name, r in runs.items()}
        (ds, drows, dpeak, dload, _), (ps, prows, ppeak) = best["dlctl"], best["pandas"]
        whole = statistics.median(run[4] for run in runs["dlctl"])
        args.rows = args.rows // 2000 * 2000
        assert drows == prows == args.rows, (drows, prows)
        print(f"file: {megabytes:.0f} MB, {args.rows} rows x 785 columns "
              f"(float32 size {float_bytes / 1e6:.0f} MB), {os.cpu_count()} cores")
        print(f"dlctl  read_csv:    {ds:6.3f} s  {megabytes / ds:6.0f} MB/s   peak RSS after "
              f"reading {dload / 1e6:5.0f} MB ({dload / float_bytes:.2f}x float32); of the "
              f"whole 'dlctl validate' {dpeak / 1e6:5.0f} MB ({dpeak / float_bytes:.2f}x)")
        print(f"dlctl validate (read, split, fit, encode every split): median {whole:.2f} s")
        print(f"pandas read_csv:    {ps:6.3f} s  {megabytes / ps:6.0f} MB/s   peak RSS growth "
              f"{ppeak / 1e6:5.0f} MB ({ppeak / float_bytes:.2f}x float32)")
        print(f"speed ratio dlctl / pandas: {ps / ds:.2f}x (best of {args.repeats} each); "
              f"{median['pandas'] / median['dlctl']:.2f}x of the medians "
              f"({median['dlctl']:.3f} s and {median['pandas']:.3f} s)")


if __name__ == "__main__":
    main()
