#!/usr/bin/env python3
"""Training throughput of two dlctl binaries, side by side in one run (A/B of a change).

Runs bench_train.py's networks and batch sizes with binary A and binary B alternately, `--repeats`
times each, on the same generated data, and prints each one's median samples/s and the ratio
B / A. A ratio under 0.90 on any row means B lost more than 10%: the exit code is then 1, so
the script can gate a change. Machine noise makes single runs swing by 10-20% on a shared
machine; alternating A and B spreads that noise over both.

Usage:
  git worktree add /tmp/base HEAD && (cd /tmp/base && scripts/build.sh build -DDLCTL_CUDA=OFF -- dlctl)
  python3 scripts/bench_compare.py --a /tmp/base/build/bin/dlctl --b build/bin/dlctl
"""
import argparse
import json
import pathlib
import statistics
import sys
import tempfile

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_train import BATCHES, NETWORKS, SAMPLES_PER_RUN, make_data, run_dlctl, write_csv  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--a", required=True, help="the baseline dlctl binary")
    parser.add_argument("--b", required=True, help="the changed dlctl binary")
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    parser.add_argument("--batches", default=",".join(str(b) for b in BATCHES))
    parser.add_argument("--networks", default=",".join(NETWORKS))
    parser.add_argument("--scale", type=float, default=0.5, help="multiply the work per run")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each binary per row")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    binaries = {side: str(pathlib.Path(getattr(args, side)).resolve()) for side in ("a", "b")}
    rng = np.random.default_rng(0)
    results = []
    print(f"# A = {binaries['a']}\n# B = {binaries['b']}\n# medians of {args.repeats} "
          "alternating runs", flush=True)
    print(f"{'network':12} {'threads':>7} {'batch':>6} {'A samples/s':>12} {'B samples/s':>12} "
          f"{'B / A':>6}", flush=True)
    with tempfile.TemporaryDirectory(prefix="dlctl-compare-") as tmp:
        workdir = pathlib.Path(tmp)
        for name in args.networks.split(","):
            rows = 8192
            x, y = make_data(name, rows, rng)
            csv = workdir / f"{name}.csv"
            write_csv(csv, x, y)
            for threads in (int(t) for t in args.threads.split(",")):
                for batch in (int(b) for b in args.batches.split(",")):
                    samples = SAMPLES_PER_RUN[batch] * args.scale / (4 if name == "wide" else 1)
                    epochs = max(1, round(samples / rows))
                    runs = {"a": [], "b": []}
                    for _ in range(args.repeats):
                        for side in ("a", "b"):
                            runs[side].append(run_dlctl(binaries[side], workdir, name, csv,
                                                        batch, epochs, threads))
                    a, b = statistics.median(runs["a"]), statistics.median(runs["b"])
                    results.append({"network": name, "threads": threads, "batch": batch,
                                    "a_median": a, "b_median": b, "ratio": b / a,
                                    "a_runs": runs["a"], "b_runs": runs["b"]})
                    print(f"{name:12} {threads:7} {batch:6} {a:12.0f} {b:12.0f} {b / a:6.3f}",
                          flush=True)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2))
    worst = min(r["ratio"] for r in results)
    print(f"# worst B / A: {worst:.3f}")
    return 1 if worst < 0.90 else 0


if __name__ == "__main__":
    sys.exit(main())
