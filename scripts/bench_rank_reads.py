#!/usr/bin/env python3
"""How ranks read the CSV: each its own part (data.rank_reads: part) against each the whole file.

Writes bench_scale.py's `seed` data (64 standard-normal features, a binary target) with --rows
rows, then trains one epoch of the seed network at batch 4096 on one process and on --ranks
ranks (`mpirun -np R --bind-to core`, one thread a rank), once with every rank reading its part
of the file and once with every rank reading all of it, alternating, --repeats times each. The
parse cache is off (data.cache: false), so every run parses the CSV.

For each side it reports the median wall time of the whole `dlctl train` command, the time
rank 0 took to read, fit and encode the data (summary.json timings.prepare_seconds) and the
largest peak RSS of a rank (/usr/bin/time %M around each rank). `part` should take less time
and less memory a rank than `whole`, which parses and encodes every row on every rank.

    python3 scripts/bench_rank_reads.py                  # about 3 minutes on 2 cores
    python3 scripts/bench_rank_reads.py --rows 2000000   # a 1.3 GB file
    python3 scripts/bench_rank_reads.py --quick          # a smoke test

Needs dlctl built with MPI (build-cpu by default), Open MPI's mpirun and /usr/bin/time.
"""

import argparse
import json
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile
import time

from bench_machine import cpu_model, first_line
from bench_scale import dlctl_config, mpi_env, write_csv

REPO = pathlib.Path(__file__).resolve().parent.parent
PEAK = "dlctl-rank-peak-kb"


def command(args, spec, run_dir, ranks, reads, peaks):
    train = [args.dlctl, "-q", "train", str(spec), "--run-dir", str(run_dir), "--threads", "1",
             "--set", "data.cache=false", "--set", f"data.rank_reads={reads}"]
    # Each rank appends its line to `peaks` (mpirun may drop a rank's last stderr lines).
    timed = ["/usr/bin/time", "-a", "-o", str(peaks), "-f", f"{PEAK} %M"] + train
    if ranks == 1:
        return timed
    return [args.mpirun, "-np", str(ranks), "--bind-to", "core"] + timed


def run_once(args, spec, run_dir, ranks, reads):
    """One run: its wall seconds, its seconds outside training, its largest rank's peak RSS."""
    peaks_file = run_dir.with_suffix(".peaks")
    started = time.perf_counter()
    done = subprocess.run(command(args, spec, run_dir, ranks, reads, peaks_file), env=mpi_env(),
                          capture_output=True, text=True, timeout=args.timeout)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed ({done.returncode}): ranks {ranks}, rank_reads {reads}")
    peaks = [int(line.split()[1]) for line in peaks_file.read_text().splitlines()
             if line.startswith(PEAK)]
    if len(peaks) != ranks:
        raise SystemExit(f"expected {ranks} peak RSS lines, found {len(peaks)}")
    summary = json.loads((run_dir / "summary.json").read_text())
    return {"wall": wall, "prepare": summary["timings"]["prepare_seconds"],
            "peak_rss_mb": max(peaks) / 1024}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dlctl", default=str(REPO / "build-cpu" / "bin" / "dlctl"))
    parser.add_argument("--mpirun", default="mpirun")
    parser.add_argument("--rows", type=int, default=500000)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--quick", action="store_true", help="20000 rows, 1 repeat")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeats = 20000, 1
    args.dlctl = str(pathlib.Path(args.dlctl).resolve())
    print(f"# {cpu_model()}; {first_line([args.dlctl, '--version'])}")
    sides = [(1, "whole"), (args.ranks, "whole"), (args.ranks, "part")]
    results = {side: [] for side in sides}
    with tempfile.TemporaryDirectory(prefix="dlctl-rank-reads-") as name:
        tmp = pathlib.Path(name)
        csv = tmp / "seed.csv"
        write_csv(csv, "seed", args.rows, random.Random(0))
        spec = tmp / "seed.yaml"
        spec.write_text(dlctl_config("seed", csv, tmp / "cache", 4096, 1))
        print(f"# {args.rows} rows, {csv.stat().st_size / 1e6:.0f} MB; 1 epoch, batch 4096, "
              f"{args.repeats} repeat(s)", flush=True)
        for repeat in range(args.repeats):
            for ranks, reads in sides:
                run_dir = tmp / f"run-{ranks}-{reads}-{repeat}"
                results[(ranks, reads)].append(run_once(args, spec, run_dir, ranks, reads))
    print("\n| processes | rank_reads | wall s | preparing the data s | peak RSS a rank MB |")
    print("|---|---|---|---|---|")
    for (ranks, reads), runs in results.items():
        median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"| {ranks} | {reads if ranks > 1 else '(one process)'} | {median['wall']:.2f} | "
              f"{median['prepare']:.2f} | {median['peak_rss_mb']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
