#!/usr/bin/env python3
"""Training throughput of dlctl and PyTorch on the CPU, side by side in one run.

Both train the same network (same layer sizes, activations, dropout, Adam, loss) on the same
synthetic data with the same batch size and thread count; the script reports samples/s of each
and their ratio, plus the fraction of this machine's single-precision GEMM peak that each
reaches (the peak measured here, before each network and at the end: the best of torch.mm and
numpy's matmul on 1024² matrices over all those measurements).

    pip install torch numpy            # once
    python3 scripts/bench_train.py     # after scripts/build.sh; about 10 minutes on 2 cores

dlctl's time is its training loop (summary.json timings.train_seconds: no CSV parsing, no
validation, but the per-epoch checkpoints it writes by default, 8192 rows an epoch);
PyTorch's is the equivalent loop (shuffle, gather, forward, loss, backward, Adam step), timed
after a short warm-up. Each side runs --repeats times, alternating; the best throughput of each
is the headline (a shared machine only ever slows a run down) and the medians are reported
beside it. `seed-nodrop` is the seed network without its dropout layers, to show what
dropout costs.

GFLOP/s and the percentage of the peak count the arithmetic of the dense network
(training_flops_per_sample). dlctl's CPU products skip the zeros that relu and dropout leave in a
layer's input when at most a third of it is nonzero (lib/dlctl/backend/cpu/cpu_sparse_products.h),
so on `seed` it does about a third of that arithmetic and its figure is an effective rate that can
pass 100%; on `wide` and `seed-nodrop` (about half nonzero) it does all of it, as PyTorch does.

Before and after each multi-thread row, scripts/core_latency.cpp (compiled here with c++) times
a cache line's round trip between the first two CPUs: on a shared machine whose virtual CPUs
move between core complexes, it says whether that row ran with both threads behind one L3 cache.

With --opennn BINARY (scripts/opennn/build.sh builds it from an OpenNN source tree), OpenNN
trains the seed networks in the same run too (its own synthetic data of the same shape; only
its train() call is timed), and the table gains its samples/s and dlctl's ratio to it.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

from bench_networks import NETWORKS, dlctl_spec  # noqa: F401 (NETWORKS: bench_compare, bench_gpu)
BATCHES = (32, 256, 4096)
SAMPLES_PER_RUN = {32: 60_000, 256: 200_000, 4096: 400_000}  # per network "seed"; "wide" / 4


def training_flops_per_sample(inputs, hidden, outputs):
    """2·in·out for the forward pass, as much for the weight gradient and, except in the first
    layer, as much again for the input gradient."""
    sizes = [inputs] + [units for units, _ in hidden] + [outputs]
    flops = 0
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        flops += (4 if i == 0 else 6) * a * b
    return flops


def make_data(name, rows, rng):
    inputs, _, outputs = NETWORKS[name]
    x = rng.standard_normal((rows, inputs)).astype(np.float32)
    w = rng.standard_normal(inputs).astype(np.float32)
    score = x @ w
    if outputs == 1:
        y = (score > 0).astype(np.float32)
    else:
        y = np.digitize(score, np.quantile(score, np.linspace(0, 1, outputs + 1)[1:-1]))
        y = y.astype(np.float32)
    return x, y


def write_csv(path, x, y):
    header = ",".join([f"f{i}" for i in range(x.shape[1])] + ["y"])
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=header, comments="",
               fmt="%.6g")


def dlctl_config(name, csv, batch, epochs, threads):
    return dlctl_spec(name, csv, batch, epochs, threads)


def run_dlctl(binary, workdir, name, csv, batch, epochs, threads):
    spec = workdir / f"{name}-{batch}-{threads}.yaml"
    spec.write_text(dlctl_config(name, csv, batch, epochs, threads))
    run_dir = workdir / f"run-{name}-{batch}-{threads}-{len(list(workdir.glob('run-*')))}"
    subprocess.run([binary, "-q", "train", str(spec), "--run-dir", str(run_dir)], check=True,
                   stdout=subprocess.DEVNULL)
    summary = json.loads((run_dir / "summary.json").read_text())
    return summary["timings"]["samples_per_second"]


def run_opennn(binary, name, batch, epochs, threads):
    """samples/s of scripts/opennn/bench_opennn on a seed network (dropout as in NETWORKS)."""
    rate = NETWORKS[name][1][0][1]
    out = subprocess.run([binary, str(batch), str(rate), str(epochs), str(threads)], check=True,
                         capture_output=True, text=True,
                         env={**os.environ, "OMP_NUM_THREADS": str(threads)}).stdout
    return float(out.split("samples_per_second")[1].split()[0])


def torch_model(name):
    inputs, hidden, outputs = NETWORKS[name]
    layers, width = [], inputs
    for units, rate in hidden:
        layers += [torch.nn.Linear(width, units), torch.nn.ReLU()]
        if rate > 0:
            layers.append(torch.nn.Dropout(rate))
        width = units
    layers.append(torch.nn.Linear(width, outputs))
    return torch.nn.Sequential(*layers)


def run_torch(name, x, y, batch, epochs, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    outputs = NETWORKS[name][2]
    model = torch_model(name)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    if outputs == 1:
        loss_fn, targets = torch.nn.BCEWithLogitsLoss(), torch.from_numpy(y).unsqueeze(1)
    else:
        loss_fn, targets = torch.nn.CrossEntropyLoss(), torch.from_numpy(y).long()
    features = torch.from_numpy(x)
    rows = features.shape[0]

    def epoch():
        order = torch.randperm(rows)
        for first in range(0, rows, batch):
            index = order[first:first + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(features[index]), targets[index])
            loss.backward()
            optimizer.step()

    model.train()
    first = torch.randperm(rows)[: min(rows, 20 * batch)]  # warm-up
    for i in range(0, len(first), batch):
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(features[first[i:i + batch]]), targets[first[i:i + batch]]).backward()
        optimizer.step()
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    return rows * epochs / (time.perf_counter() - start)


def torch_mm_gflops(threads, n, repeats, trials):
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(trials):
        start = time.perf_counter()
        for _ in range(repeats):
            torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * n ** 3 * repeats / best / 1e9


NUMPY_MATMUL = """
import sys, time, numpy as np
n, repeats, trials = map(int, sys.argv[1:])
a, b = np.random.rand(n, n).astype(np.float32), np.random.rand(n, n).astype(np.float32)
a @ b
best = float("inf")
for _ in range(trials):
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    best = min(best, time.perf_counter() - start)
print(2 * n ** 3 * repeats / best / 1e9)
"""


def gemm_peak_gflops(threads, n=1024, repeats=20, trials=5):
    """The machine's attainable single-precision GEMM rate on `threads` threads: the best of
    torch.mm (MKL) and numpy's matmul (its OpenBLAS, in a subprocess so that its thread count can
    be set), each the best of `trials` timings of `repeats` n × n products. A noisy machine only
    ever makes a timing slower, so the best is the estimate of the peak."""
    rates = {"torch.mm": torch_mm_gflops(threads, n, repeats, trials)}
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    try:
        out = subprocess.run([sys.executable, "-c", NUMPY_MATMUL, str(n), str(repeats),
                              str(trials)], env=env, check=True, capture_output=True, text=True)
        rates["numpy matmul"] = float(out.stdout.strip())
    except (subprocess.CalledProcessError, ValueError):
        pass
    return max(rates.values()), rates


def build_core_latency(workdir):
    """Compiles scripts/core_latency.cpp; returns the binary, or None without a C++ compiler."""
    source = pathlib.Path(__file__).with_name("core_latency.cpp")
    binary = workdir / "core_latency"
    try:
        subprocess.run(["c++", "-O2", "-pthread", "-o", str(binary), str(source)], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return binary


def core_round_trip_ns(binary):
    """Median round trip of a cache line between the first two CPUs (scripts/core_latency.cpp):
    where a shared machine put its virtual CPUs around a 2-thread measurement."""
    if binary is None:
        return None
    try:
        out = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return statistics.median(json.loads(out)["round_trip_ns"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dlctl", default="build/bin/dlctl", help="dlctl binary")
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    parser.add_argument("--scale", type=float, default=0.5, help="multiply the work per run")
    parser.add_argument("--repeats", type=int, default=5,
                        help="runs of each side, alternating; the best and the median are "
                             "reported (shared machines are noisy)")
    parser.add_argument("--networks", default=",".join(NETWORKS),
                        help="networks to run, comma-separated (default: all)")
    parser.add_argument("--opennn", help="OpenNN's driver (scripts/opennn/build.sh): also "
                                         "train the seed networks in OpenNN")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    binary = str(pathlib.Path(args.dlctl).resolve())
    thread_counts = [int(t) for t in args.threads.split(",")]
    rng = np.random.default_rng(0)
    results = []
    print(f"# dlctl vs PyTorch {torch.__version__} (CPU), Adam, batch sizes {BATCHES}", flush=True)
    print("# GFLOP/s count the dense network's arithmetic; dlctl skips the zeros of relu + "
          "dropout, so on `seed` its rate is effective", flush=True)
    # The peak is the machine's, not a network's: measured before each network and once more at
    # the end; every percentage uses the best of all these measurements.
    peaks = {threads: 0.0 for threads in thread_counts}

    def measure_peaks():
        for threads in thread_counts:
            peak, rates = gemm_peak_gflops(threads)
            peaks[threads] = max(peaks[threads], peak)
            print(f"# GEMM peak on {threads} thread(s): " +
                  ", ".join(f"{k} {v:.1f}" for k, v in rates.items()) + " GFLOP/s", flush=True)

    with tempfile.TemporaryDirectory(prefix="dlctl-bench-") as tmp:
        workdir = pathlib.Path(tmp)
        core_latency = build_core_latency(workdir) if max(thread_counts) > 1 else None
        for name in args.networks.split(","):
            inputs, hidden, outputs = NETWORKS[name]
            rows = 8192
            x, y = make_data(name, rows, rng)
            csv = workdir / f"{name}.csv"
            write_csv(csv, x, y)
            flops = training_flops_per_sample(inputs, hidden, outputs)
            measure_peaks()
            for threads in thread_counts:
                peak = peaks[threads]
                for batch in BATCHES:
                    samples = SAMPLES_PER_RUN[batch] * args.scale / (4 if name == "wide" else 1)
                    epochs = max(1, round(samples / rows))
                    with_opennn = args.opennn and name.startswith("seed")
                    round_trips = [core_round_trip_ns(core_latency)] if threads > 1 else []
                    runs = {"dlctl": [], "torch": [], "opennn": []}
                    for _ in range(args.repeats):
                        runs["dlctl"].append(run_dlctl(binary, workdir, name, csv, batch, epochs,
                                                       threads))
                        runs["torch"].append(run_torch(name, x, y, batch, epochs, threads))
                        if with_opennn:
                            runs["opennn"].append(run_opennn(args.opennn, name, batch, epochs,
                                                             threads))
                    if threads > 1:
                        round_trips.append(core_round_trip_ns(core_latency))
                    ours, theirs = max(runs["dlctl"]), max(runs["torch"])
                    ours_median = statistics.median(runs["dlctl"])
                    theirs_median = statistics.median(runs["torch"])
                    row = {"network": name, "threads": threads, "batch": batch,
                           "dlctl_samples_per_s": ours, "torch_samples_per_s": theirs,
                           "ratio": ours / theirs,
                           "dlctl_gflops": ours * flops / 1e9,
                           "torch_gflops": theirs * flops / 1e9,
                           "dlctl_median_samples_per_s": ours_median,
                           "torch_median_samples_per_s": theirs_median,
                           "median_ratio": ours_median / theirs_median,
                           "dlctl_runs": runs["dlctl"], "torch_runs": runs["torch"]}
                    if round_trips:
                        row["core_round_trip_ns"] = round_trips
                    if with_opennn:
                        opennn = max(runs["opennn"])
                        row["opennn_samples_per_s"] = opennn
                        row["ratio_to_opennn"] = ours / opennn
                        row["opennn_runs"] = runs["opennn"]
                        print(f"      OpenNN {opennn:10.0f}/s  dlctl / OpenNN {ours / opennn:5.2f}",
                              flush=True)
                    results.append(row)
                    trips = ("" if not round_trips else "  core round trip " + " → ".join(
                        "?" if t is None else f"{t:.0f} ns" for t in round_trips))
                    print(f"{name:5} threads {threads} batch {batch:5}: dlctl {ours:10.0f}/s  "
                          f"torch {theirs:10.0f}/s  ratio {ours / theirs:5.2f} (medians "
                          f"{row['median_ratio']:5.2f})  "
                          f"dlctl {row['dlctl_gflops']:6.1f} GFLOP/s = "
                          f"{100 * row['dlctl_gflops'] / peak:4.0f}% of GEMM peak {peak:.0f} "
                          f"(torch {100 * row['torch_gflops'] / peak:3.0f}%){trips}",
                          flush=True)
    measure_peaks()
    for r in results:
        r["gemm_peak_gflops"] = peaks[r["threads"]]
    print("\n# GEMM peak (best of all measurements): " +
          ", ".join(f"{t} thread(s) {p:.1f} GFLOP/s" for t, p in peaks.items()))
    opennn_columns = any("opennn_samples_per_s" in r for r in results)
    print("\n| network | threads | batch | dlctl samples/s | PyTorch samples/s | ratio | "
          "ratio of medians | dlctl % of GEMM peak | PyTorch % of GEMM peak |" +
          (" OpenNN samples/s | dlctl / OpenNN |" if opennn_columns else ""))
    print("| --- " * (11 if opennn_columns else 9) + "|")
    for r in results:
        opennn = ""
        if opennn_columns:
            opennn = (f" {r['opennn_samples_per_s']:.0f} | {r['ratio_to_opennn']:.2f}x |"
                      if "opennn_samples_per_s" in r else " | |")
        print(f"| {r['network']} | {r['threads']} | {r['batch']} | {r['dlctl_samples_per_s']:.0f} "
              f"| {r['torch_samples_per_s']:.0f} | {r['ratio']:.2f}x | {r['median_ratio']:.2f}x | "
              f"{100 * r['dlctl_gflops'] / r['gemm_peak_gflops']:.0f}% | "
              f"{100 * r['torch_gflops'] / r['gemm_peak_gflops']:.0f}% |" + opennn)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
