#!/usr/bin/env python3
"""Data-parallel training over MPI, end to end on this machine (mpirun -np 2 over loopback).

    python3 tests/scripts/test_mpi_training.py --dlctl build/bin/dlctl [--mpirun mpirun]

1. Two ranks train the breast-cancer network (without its dropout: each rank draws its own
   masks) to the per-epoch losses of one process, within 1e-6 relative; only rank 0 writes.
   Ranks reading their parts of the file (the default) and ranks reading all of it train to
   the same metrics.csv.
2. Batch norm, early stopping, regression without metrics or validation: two ranks finish.
   A two-rank run resumed from its checkpoint ends as the uninterrupted two-rank run does.
3. Ranks started with different specs stop together, exit 2, with one message naming the rank;
   train.cv and out-of-core data (exit 2) and a divergence (exit 6, summary.json "failed")
   likewise, from rank 0.
4. An error on one rank alone ends every rank: a row over two lines in rank 1's part of the
   file (exit 3, naming rank 1 and the line; data.rank_reads: whole reads it), rank 0 unable
   to create its run directory.
5. SIGTERM (Slurm's scancel) stops every rank after its step; rank 0 writes the outputs.
6. A rank killed mid-run stops the others with an error, not a hang.
"""

import argparse
import csv
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
TOLERANCE = 1e-6


def mpi_env():
    # Two ranks even where fewer cores are free (a CI runner with one core).
    env = dict(os.environ, OMPI_MCA_rmaps_base_oversubscribe="1")
    if os.geteuid() == 0:  # OpenMPI refuses root unless told
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return env


def run(command, timeout=300):
    return subprocess.run(command, capture_output=True, text=True, env=mpi_env(), timeout=timeout)


def write_spec(directory):
    """The breast-cancer spec without its dropout layer."""
    text = (REPO / "configs" / "breast_cancer.yaml").read_text()
    lines = [l for l in text.splitlines() if "dropout" not in l]
    text = "\n".join(lines).replace("../data/", str(REPO / "data") + "/")
    spec = directory / "spec.yaml"
    spec.write_text(text + "\n")
    return spec


def losses(run_dir):
    with open(run_dir / "metrics.csv") as f:
        return [(float(r["loss"]), float(r["val_loss"])) for r in csv.DictReader(f)]


def metrics_without_seconds(run_dir):
    lines = (run_dir / "metrics.csv").read_text().splitlines()
    return [line.rsplit(",", 1)[0] for line in lines]


def check(condition, message, result=None):
    if not condition:
        detail = f"\n--- stderr ---\n{result.stderr}" if result is not None else ""
        raise AssertionError(message + detail)


def same_losses(a, b, what):
    check(len(a) == len(b), f"{what}: {len(a)} epochs against {len(b)}")
    for epoch, (x, y) in enumerate(zip(a, b), 1):
        for u, v in zip(x, y):
            check(abs(u - v) <= TOLERANCE * abs(u), f"{what}: epoch {epoch}: {u} against {v}")


def test_two_ranks_match_one_process(args, tmp, spec):
    train = [args.dlctl, "-q", "train", str(spec), "--threads", "1", "--set", "train.epochs=8"]
    one = run(train + ["--run-dir", str(tmp / "one")])
    check(one.returncode == 0, "one process failed", one)
    two = run([args.mpirun, "-np", "2"] + train + ["--run-dir", str(tmp / "two")])
    check(two.returncode == 0, "two ranks failed", two)
    check(two.stdout.strip() == str(tmp / "two"), f"stdout is rank 0's run dir: {two.stdout!r}")
    same_losses(losses(tmp / "one"), losses(tmp / "two"), "2 ranks against 1 process")
    summary = json.loads((tmp / "two" / "summary.json").read_text())
    check(summary["ranks"] == 2 and summary["timings"]["allreduce_seconds"] > 0, "summary ranks")
    # Each rank read its part of the file (data.rank_reads: part, the default); ranks that each
    # read the whole file hold the same blocks of the same encoding, so train to the same bits.
    whole = run([args.mpirun, "-np", "2"] + train +
                ["--set", "data.rank_reads=whole", "--run-dir", str(tmp / "whole")])
    check(whole.returncode == 0, "two ranks reading the whole file failed", whole)
    check(metrics_without_seconds(tmp / "two") == metrics_without_seconds(tmp / "whole"),
          "ranks reading their parts against ranks reading the whole file: metrics.csv differs")
    for name in ("data_summary.json",):
        check((tmp / "two" / name).read_text() == (tmp / "whole" / name).read_text(),
              f"{name} differs between rank_reads part and whole")
    print("ok: 2 ranks match one process within 1e-6 per epoch; reading parts or the whole "
          "file gives the same metrics")


def test_other_configs(args, tmp, spec):
    """Batch norm, dropout, early stopping with restored weights and AUC (wine); regression
    without metrics or a validation split (diabetes): two ranks finish, no rank waits forever."""
    cases = {
        "wine": [],
        "diabetes": ["--set", "train.metrics=[]", "--set", "data.split={test: 0.2, validation: 0}"],
    }
    for config, extra in cases.items():
        run_dir = tmp / f"config-{config}"
        r = run([args.mpirun, "-np", "2", args.dlctl, "-q", "train",
                 str(REPO / "configs" / f"{config}.yaml"), "--threads", "1",
                 "--run-dir", str(run_dir)] + extra, timeout=300)
        check(r.returncode == 0, f"{config} on two ranks failed", r)
        summary = json.loads((run_dir / "summary.json").read_text())
        check(summary["status"] == "completed" and summary["ranks"] == 2, f"{config}: {summary}")
    print("ok: wine (batch norm, early stopping) and diabetes (no metrics, no validation) finish")


def test_resume(args, tmp, spec):
    train = [args.mpirun, "-np", "2", args.dlctl, "-q", "train", str(spec), "--threads", "1"]
    straight = run(train + ["--set", "train.epochs=6", "--run-dir", str(tmp / "straight")])
    check(straight.returncode == 0, "straight run failed", straight)
    first = run(train + ["--set", "train.epochs=3", "--run-dir", str(tmp / "resumed")])
    check(first.returncode == 0, "first half failed", first)
    second = run(train + ["--set", "train.epochs=6", "--run-dir", str(tmp / "resumed"),
                          "--resume", "auto"])
    check(second.returncode == 0, "resumed half failed", second)
    same_losses(losses(tmp / "straight"), losses(tmp / "resumed"), "resumed against straight")
    # A rank that finds no checkpoint where rank 0 finds one (node-local run directories).
    one = [args.dlctl, "train", str(spec), "--set", "train.epochs=9", "--resume", "auto"]
    r = run([args.mpirun, "-np", "1"] + one + ["--run-dir", str(tmp / "resumed"), ":", "-np", "1"]
            + one + ["--run-dir", str(tmp / "elsewhere")])
    check(r.returncode == 2, f"exit {r.returncode}, expected 2", r)
    check("rank 1 of 2 has a different checkpoint to resume from than rank 0" in r.stderr,
          "names rank 1", r)
    check(len(losses(tmp / "resumed")) == 6, "the refused resume changed the run")
    print("ok: a resumed two-rank run ends as the straight one; ranks resuming differently stop")


def test_specs_disagree(args, tmp, spec):
    train = [args.dlctl, "train", str(spec), "--run-dir", str(tmp / "disagree")]
    r = run([args.mpirun, "-np", "1"] + train + ["--seed", "1", ":", "-np", "1"] + train +
            ["--seed", "2"])
    check(r.returncode == 2, f"exit {r.returncode}, expected 2", r)
    check(r.stderr.count("dlctl: error:") == 1, "one message", r)
    check("rank 1 of 2 has a different resolved spec than rank 0" in r.stderr, "names rank 1", r)
    check(not (tmp / "disagree").exists(), "no run directory")
    print("ok: ranks with different specs stop together with one message")


def test_refused_together(args, tmp, spec):
    """Errors every rank meets alike: one message from rank 0, the error's exit code."""
    train = [args.mpirun, "-np", "2", args.dlctl, "-q", "train", str(spec)]
    r = run(train + ["--set", "train.cv.folds=3", "--run-dir", str(tmp / "cv")])
    check(r.returncode == 2, f"cv: exit {r.returncode}, expected 2", r)
    check(r.stderr.count("dlctl: error:") == 1, "cv: one message", r)
    check("cannot be spread over 2 ranks" in r.stderr, "cv: says why", r)
    check(not (tmp / "cv").exists(), "cv: no run directory")
    r = run(train + ["--set", "data.in_memory=false", "--run-dir", str(tmp / "ooc")])
    check(r.returncode == 2, f"out of core: exit {r.returncode}, expected 2", r)
    check(r.stderr.count("dlctl: error:") == 1, "out of core: one message", r)
    check("it cannot be spread over ranks" in r.stderr, "out of core: says why", r)
    check(not (tmp / "ooc").exists(), "out of core: no run directory")
    r = run(train + ["--set", "train.optimizer.lr=1e30", "--run-dir", str(tmp / "diverged")])
    check(r.returncode == 6, f"diverged: exit {r.returncode}, expected 6", r)
    check(r.stderr.count("dlctl: error: training diverged") == 1, "diverged: one message", r)
    summary = json.loads((tmp / "diverged" / "summary.json").read_text())
    check(summary["status"] == "failed" and summary["exit_code"] == 6, f"diverged: {summary}")
    print("ok: cross-validation, out-of-core data and a divergence stop both ranks with one "
          "message")


def test_bad_row_in_a_part(args, tmp, spec):
    """A last row whose quoted id goes on over a newline is in rank 1's part only: read in
    parts (every row one line), every rank stops with one message naming rank 1 and the line;
    with data.rank_reads: whole, every rank reads the file whole, as one process does."""
    rows = (REPO / "data" / "breast_cancer.csv").read_text().splitlines()
    quoted = '"570\n1"' + rows[-1][rows[-1].index(","):]
    broken = tmp / "broken.csv"
    broken.write_text("\n".join(rows + [quoted]) + "\n")
    train = [args.mpirun, "-np", "2", args.dlctl, "-q", "train", str(spec), "--set",
             f"data.path={broken}", "--threads", "1"]
    r = run(train + ["--run-dir", str(tmp / "broken")])
    check(r.returncode == 3, f"exit {r.returncode}, expected 3", r)
    check(r.stderr.count("dlctl: error:") == 1, "one message", r)
    check(f"rank 1 of 2: {broken}:{len(rows) + 1}: a quoted field goes on over a newline"
          in r.stderr, "names rank 1 and the line", r)
    check("data.rank_reads: whole" in r.stderr, "says how to read such a file", r)
    check(not (tmp / "broken").exists(), "no run directory")
    r = run(train + ["--set", "data.rank_reads=whole", "--set", "train.epochs=2",
                     "--run-dir", str(tmp / "whole-file")])
    check(r.returncode == 0, "rank_reads whole failed", r)
    print("ok: a row over two lines in rank 1's part stops both ranks, naming rank 1 and the "
          "line; data.rank_reads: whole reads it")


def test_one_rank_fails(args, tmp, spec):
    (tmp / "a-file").write_text("not a directory\n")
    r = run([args.mpirun, "-np", "2", args.dlctl, "train", str(spec), "--run-dir",
             str(tmp / "a-file" / "run")], timeout=120)
    check(r.returncode != 0, "a failing rank ends the run", r)
    check("rank 0 of 2" in r.stderr, "the message names rank 0", r)
    print("ok: an error on rank 0 alone ends every rank")


def start_long_run(args, spec, run_dir, epochs_done):
    """mpirun -np 2 training for (nearly) ever into `run_dir`, once it has logged `epochs_done`
    epochs."""
    command = [args.mpirun, "-np", "2", args.dlctl, "-q", "train", str(spec), "--threads", "1",
               "--set", "train.epochs=100000", "--set", "train.batch_size=8",
               "--run-dir", str(run_dir)]
    mpirun = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=mpi_env())
    deadline = time.time() + 60
    while not (run_dir / "metrics.csv").exists() or len(losses(run_dir)) < epochs_done:
        check(time.time() < deadline and mpirun.poll() is None, "training did not start")
        time.sleep(0.2)
    return mpirun


def wait_for(mpirun, what_hung):
    """mpirun's stdout and stderr once it ends; fails naming `what_hung` after a minute."""
    try:
        return mpirun.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        mpirun.kill()
        raise AssertionError(what_hung)


def test_killed_rank(args, tmp, spec):
    run_dir = tmp / "killed"
    mpirun = start_long_run(args, spec, run_dir, 1)
    victim = find_rank(str(run_dir), 1)
    check(victim is not None, "rank 1's process not found")
    os.kill(victim, signal.SIGKILL)
    wait_for(mpirun, "the other rank hung after rank 1 was killed")
    check(mpirun.returncode != 0, f"mpirun exit {mpirun.returncode}")
    print(f"ok: rank 1 killed, mpirun ended with exit {mpirun.returncode}")


def test_sigterm(args, tmp, spec):
    """Slurm's scancel: SIGTERM ends every rank after its step; rank 0 writes the outputs."""
    run_dir = tmp / "terminated"
    mpirun = start_long_run(args, spec, run_dir, 2)
    mpirun.send_signal(signal.SIGTERM)
    out, err = wait_for(mpirun, "the ranks did not stop after SIGTERM")
    summary = json.loads((run_dir / "summary.json").read_text())
    check(summary["status"] == "interrupted", f"status {summary['status']}")
    check(summary["epochs_run"] == len(losses(run_dir)), "metrics.csv holds every epoch run")
    check(err.count("stopped by SIGTERM") == 1, f"one message, from rank 0:\n{err}")
    check(out.strip() == str(run_dir), f"stdout: {out!r}")
    print(f"ok: SIGTERM stopped both ranks after {summary['epochs_run']} epochs, outputs written")


def find_rank(run_dir, rank):
    """The pid of the dlctl process training into `run_dir` as rank `rank`."""
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if run_dir.encode() in cmdline and b"train" in cmdline and \
                f"OMPI_COMM_WORLD_RANK={rank}".encode() in environ:
            return int(entry.name)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlctl", required=True)
    parser.add_argument("--mpirun", default="mpirun")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlctl-mpi-") as name:
        tmp = pathlib.Path(name)
        spec = write_spec(tmp)
        for test in (test_two_ranks_match_one_process, test_other_configs, test_resume,
                     test_specs_disagree, test_refused_together, test_bad_row_in_a_part,
                     test_one_rank_fails, test_sigterm, test_killed_rank):
            test(args, tmp, spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
