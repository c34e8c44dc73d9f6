#!/usr/bin/env python3
"""Data-parallel scaling of dlctl on the CPU: 2 MPI ranks against 1 process, and a model of N nodes.

Trains bench_train.py's `seed` network (64 inputs → 512, 256, 128 with dropout 0.5 → 1, binary)
and `wide` network (784 → 512, 256 → 10 classes) on synthetic data, at batch 4096 with one
thread a process, once as a single process (`dlctl train`) and once on two ranks
(`mpirun -np 2 --bind-to core dlctl train ... --threads 1`), alternating, --repeats times each.
It reports samples/s of each side (best and median; a shared machine only ever slows a run
down, so the best is the headline), the 2-rank / 1-rank ratio and the share of a 2-rank run's
training time that rank 0 spent summing gradients over the ranks (summary.json
timings.allreduce_seconds / timings.train_seconds; it includes waiting for the other rank).

    python3 scripts/bench_scale.py             # after building build-cpu; about 3 minutes on 2 cores
    python3 scripts/bench_scale.py --quick     # a smoke test: tiny data, 1 epoch, 1 repeat
    python3 scripts/bench_scale.py --json scale.json --latency-us 2 --bandwidth-gbps 100

The time is dlctl's training loop (summary.json timings.train_seconds of rank 0: no CSV
parsing, no validation, but the per-epoch checkpoints it writes by default). The data has no
validation or test split, and an epoch is several steps (65536 rows of `seed`, 16384 of `wide`;
--scale multiplies them).

From the 1-rank measurement the script models N nodes, one rank each: a sample costs
c = train_seconds / samples of compute, a step's gradients are 4 × parameters bytes, and a ring
allreduce of them costs 2(N−1)·α + 2(N−1)/N · bytes / β, with α = --latency-us and
β = --bandwidth-gbps. A step on N nodes takes c·batch/N + allreduce; the model prints the
samples/s, speedup and allreduce share this predicts for N = 1 … 32. It ignores everything
but compute and the allreduce (stragglers, checkpoints, per-step overheads that do not shrink
with N), so it is an upper bound on the speedup.

Targets, printed as met / not met: 2 ranks at least 1.7× one rank at batch 4096 on the seed
network (ratio of the best runs), and the allreduce under 10% of a step at batch 4096 (median
share of the 2-rank runs, each network). Needs python3 only (no numpy), dlctl built with MPI,
and Open MPI's mpirun; as root it sets OMPI_ALLOW_RUN_AS_ROOT for mpirun.
"""

import argparse
import bisect
import json
import os
import pathlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from bench_machine import cpu_model, first_line
from bench_networks import NETWORKS, dlctl_spec

ROWS = {"seed": 65536, "wide": 16384}  # an epoch of 16 and 4 steps at batch 4096
QUICK_ROWS = {"seed": 8192, "wide": 4096}
MODEL_NODES = (1, 2, 4, 8, 16, 32)
TARGET_RATIO = 1.7  # 2 ranks / 1 rank, seed network
TARGET_SHARE = 0.10  # allreduce / train time, 2 ranks
REPO = pathlib.Path(__file__).resolve().parent.parent


def write_csv(path, name, rows, rng):
    """bench_train.make_data without numpy: standard normal features; the target is the sign
    of a random projection (binary) or its quantile bin (classes)."""
    inputs, _, outputs = NETWORKS[name]
    w = [rng.gauss(0.0, 1.0) for _ in range(inputs)]
    data, scores = [], []
    for _ in range(rows):
        x = [rng.gauss(0.0, 1.0) for _ in range(inputs)]
        data.append(x)
        scores.append(sum(a * b for a, b in zip(x, w)))
    if outputs == 1:
        labels = [1 if s > 0 else 0 for s in scores]
    else:
        ordered = sorted(scores)
        cuts = [ordered[rows * k // outputs] for k in range(1, outputs)]
        labels = [bisect.bisect_right(cuts, s) for s in scores]
    with open(path, "w") as f:
        f.write(",".join([f"f{i}" for i in range(inputs)] + ["y"]) + "\n")
        for x, y in zip(data, labels):
            f.write(",".join(format(v, ".5g") for v in x) + f",{y}\n")


def dlctl_config(name, csv, cache_dir, batch, epochs):
    """The benchmark spec at one thread, with the parse cache in the temporary dir."""
    return dlctl_spec(name, csv, batch, epochs, 1, [f"  cache_dir: {cache_dir}"], "scale")


def mpi_env():
    """The environment for mpirun: Open MPI refuses root unless told it is intended."""
    env = dict(os.environ)
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return env


def train_command(args, spec, run_dir, ranks):
    command = [args.dlctl, "-q", "train", str(spec), "--run-dir", str(run_dir), "--threads", "1"]
    if ranks == 1:
        return command
    return [args.mpirun, "-np", str(ranks), "--bind-to", "core"] + command


def run_once(args, spec, run_dir, ranks):
    """Trains once on `ranks` ranks; returns rank 0's summary.json."""
    command = train_command(args, spec, run_dir, ranks)
    env = mpi_env() if ranks > 1 else None
    for _ in range(6):  # the binary may be briefly missing while it is rebuilt
        if os.path.exists(args.dlctl):
            break
        time.sleep(10)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=args.timeout)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}")
    return json.loads((run_dir / "summary.json").read_text())


def measure(args, workdir, name, rows, epochs):
    """Both sides, alternating, --repeats times; returns one result row."""
    csv = workdir / f"{name}.csv"
    write_csv(csv, name, rows, random.Random(0))
    spec = workdir / f"{name}.yaml"
    spec.write_text(dlctl_config(name, csv, workdir / "cache", args.batch, epochs))
    runs = {1: [], 2: []}
    for repeat in range(args.repeats):
        for ranks in (1, 2):
            run_dir = workdir / f"run-{name}-{ranks}-{repeat}"
            summary = run_once(args, spec, run_dir, ranks)
            shutil.rmtree(run_dir, ignore_errors=True)
            timings = summary["timings"]
            run = {"samples_per_second": timings["samples_per_second"],
                   "train_seconds": timings["train_seconds"],
                   "parameters": summary["model"]["parameters"]}
            if ranks > 1:
                if summary.get("ranks") != ranks:
                    raise SystemExit(f"summary.json says ranks {summary.get('ranks')}, not "
                                     f"{ranks}: is dlctl built with MPI?")
                run["allreduce_seconds"] = timings["allreduce_seconds"]
                run["allreduce_share"] = timings["allreduce_seconds"] / timings["train_seconds"]
            runs[ranks].append(run)
            print(f"  {name} {ranks} rank(s) run {repeat + 1}: "
                  f"{run['samples_per_second']:.0f} samples/s" +
                  (f", allreduce {100 * run['allreduce_share']:.1f}%" if ranks > 1 else ""),
                  flush=True)
    return summarize(name, rows, epochs, args.batch, runs)


def summarize(name, rows, epochs, batch, runs):
    """Best and median of each side, their ratios, and the 2-rank allreduce shares."""
    row = {"network": name, "rows": rows, "epochs": epochs, "batch": batch,
           "steps": epochs * -(-rows // batch), "parameters": runs[1][0]["parameters"],
           "runs": {"1": runs[1], "2": runs[2]}}
    for ranks in (1, 2):
        rates = [r["samples_per_second"] for r in runs[ranks]]
        row[f"best_{ranks}"] = max(rates)
        row[f"median_{ranks}"] = statistics.median(rates)
    row["ratio"] = row["best_2"] / row["best_1"]
    row["median_ratio"] = row["median_2"] / row["median_1"]
    shares = [r["allreduce_share"] for r in runs[2]]
    row["allreduce_share_median"] = statistics.median(shares)
    row["allreduce_share_min"] = min(shares)
    per_step = [r["allreduce_seconds"] / row["steps"] for r in runs[2]]
    row["allreduce_seconds_per_step_median"] = statistics.median(per_step)
    return row


def ring_allreduce_seconds(nodes, size_bytes, latency_s, bandwidth_bytes_s):
    if nodes == 1:
        return 0.0
    return 2 * (nodes - 1) * latency_s + 2 * (nodes - 1) / nodes * size_bytes / bandwidth_bytes_s


def scaling_model(row, batch, latency_s, bandwidth_bytes_s):
    """Predicted samples/s, speedup and allreduce share on N nodes, from the best 1-rank run."""
    compute = 1.0 / row["best_1"]  # seconds of one sample: train_seconds / samples
    size_bytes = 4 * row["parameters"]
    model = []
    for nodes in MODEL_NODES:
        allreduce = ring_allreduce_seconds(nodes, size_bytes, latency_s, bandwidth_bytes_s)
        step = compute * batch / nodes + allreduce
        model.append({"nodes": nodes, "step_seconds": step, "allreduce_seconds": allreduce,
                      "samples_per_second": batch / step, "speedup": batch / step * compute,
                      "allreduce_share": allreduce / step})
    return {"network": row["network"], "compute_seconds_per_sample": compute,
            "gradient_bytes": size_bytes, "nodes": model}


def machine(args):
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
            "dlctl": first_line([args.dlctl, "--version"]),
            "mpirun": first_line([args.mpirun, "--version"], mpi_env())}


def print_tables(rows, models, args):
    print("\n| network | ranks | samples/s best | samples/s median | ratio to 1 rank (best, "
          "median) | allreduce share (median, min) |")
    print("| --- " * 6 + "|")
    for r in rows:
        print(f"| {r['network']} | 1 | {r['best_1']:.0f} | {r['median_1']:.0f} | | |")
        print(f"| {r['network']} | 2 | {r['best_2']:.0f} | {r['median_2']:.0f} | "
              f"{r['ratio']:.2f}x, {r['median_ratio']:.2f}x | "
              f"{100 * r['allreduce_share_median']:.1f}%, {100 * r['allreduce_share_min']:.1f}% |")
    print(f"\n# Model: ring allreduce, α = {args.latency_us:g} µs, β = {args.bandwidth_gbps:g} "
          f"Gbit/s, batch {args.batch}, compute from the best 1-rank run")
    for m in models:
        print(f"# {m['network']}: {1e6 * m['compute_seconds_per_sample']:.2f} µs a sample, "
              f"{m['gradient_bytes'] / 1e6:.2f} MB of gradients a step")
    print("\n| network | nodes | step ms | allreduce ms | samples/s | speedup | allreduce share |")
    print("| --- " * 7 + "|")
    for m in models:
        for n in m["nodes"]:
            print(f"| {m['network']} | {n['nodes']} | {1e3 * n['step_seconds']:.2f} | "
                  f"{1e3 * n['allreduce_seconds']:.3f} | {n['samples_per_second']:.0f} | "
                  f"{n['speedup']:.2f}x | {100 * n['allreduce_share']:.1f}% |")


def check_targets(rows, args):
    """The targets, each with its measured value and met / not met."""
    targets = []
    for r in rows:
        if r["network"] == "seed":
            targets.append({"target": f"2 ranks >= {TARGET_RATIO}x one rank at batch 4096 on "
                                      "the seed network", "network": "seed", "kind": "ratio",
                            "value": r["ratio"], "met": r["ratio"] >= TARGET_RATIO})
        targets.append({"target": f"allreduce under {100 * TARGET_SHARE:.0f}% of a step at "
                                  "batch 4096", "network": r["network"], "kind": "share",
                        "value": r["allreduce_share_median"],
                        "met": r["allreduce_share_median"] < TARGET_SHARE})
    print()
    note = "" if args.batch == 4096 else f" (measured at batch {args.batch}, not 4096)"
    note += " (--quick: a smoke test, not a measurement)" if args.quick else ""
    for t in targets:
        value = (f"{t['value']:.2f}x (best runs)" if t["kind"] == "ratio"
                 else f"{100 * t['value']:.1f}% (median of the 2-rank runs)")
        print(f"# Target: {t['target']} [{t['network']}]: {value}: "
              f"{'met' if t['met'] else 'NOT met'}{note}")
    return targets


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dlctl", default=str(REPO / "build-cpu" / "bin" / "dlctl"),
                        help="dlctl binary built with MPI (default: build-cpu/bin/dlctl)")
    parser.add_argument("--mpirun", default="mpirun", help="Open MPI's mpirun")
    parser.add_argument("--batch", type=int, default=4096, help="batch size (whole batch)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs a run")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the rows")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side, alternating")
    parser.add_argument("--networks", default="seed,wide", help="comma-separated, of " + ", ".join(NETWORKS))
    parser.add_argument("--latency-us", type=float, default=5.0, help="α of the model, µs")
    parser.add_argument("--bandwidth-gbps", type=float, default=10.0,
                        help="β of the model, Gbit/s")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a run may take")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: tiny data, 1 epoch, 1 repeat")
    parser.add_argument("--json", help="also write all numbers here")
    args = parser.parse_args()
    args.dlctl = str(pathlib.Path(args.dlctl).resolve())
    if args.quick:
        args.epochs, args.repeats = 1, 1
    return args


def main():
    args = parse_args()
    info = machine(args)
    print(f"# Machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable)")
    print(f"# {info['dlctl']}\n# {info['mpirun']}")
    print(f"# batch {args.batch}, 1 thread a rank, {args.epochs} epoch(s), {args.repeats} "
          f"repeat(s); 2 ranks: {args.mpirun} -np 2 --bind-to core", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="dlctl-scale-") as tmp:
        for name in args.networks.split(","):
            count = QUICK_ROWS[name] if args.quick else max(1, round(ROWS[name] * args.scale))
            rows.append(measure(args, pathlib.Path(tmp), name, count, args.epochs))
    latency_s, bandwidth = args.latency_us * 1e-6, args.bandwidth_gbps * 1e9 / 8
    models = [scaling_model(r, args.batch, latency_s, bandwidth) for r in rows]
    print_tables(rows, models, args)
    targets = check_targets(rows, args)
    if args.json:
        result = {"machine": info, "settings": vars(args),
                  "results": rows, "model": models, "targets": targets}
        pathlib.Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
