#!/usr/bin/env python3
"""Reads the TensorBoard event files of small dlctl runs with TensorBoard's own reader and checks
them against each run's metrics.csv: every number of every epoch as a scalar (float32), no other
scalar, the hparams session (plugin_data_pb2) with the run's settings and its end status. Covers
a plain run, one with epochs without validation, a run resumed into a new directory and in its
own, an event file that cannot be written (exit 4, metrics.csv kept), a cross-validation's folds
and `output.tensorboard: false` (no tensorboard/ at all).
Exits 77 (skipped) without the tensorboard package.

Usage: check_tensorboard.py --dlctl BINARY
"""
import argparse
import csv
import math
import os
import struct
import subprocess
import sys
import tempfile

try:
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.plugins.hparams import api_pb2, metadata
except ImportError:
    print("skipped: tensorboard is not installed (pip install tensorboard)")
    sys.exit(77)

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
parser = argparse.ArgumentParser()
parser.add_argument("--dlctl", required=True)
args = parser.parse_args()


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def train(run, config, *sets, resume=None):
    command = [args.dlctl, "train", os.path.join(root, "configs", config), "-q", "--run-dir", run]
    command += [arg for s in sets for arg in ("--set", s)]
    if resume:
        command += ["--resume", resume]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def float32(value):
    return struct.unpack("f", struct.pack("f", value))[0]


def load(run):
    """The run's event files as TensorBoard reads them, after checking there is exactly one."""
    directory = os.path.join(run, "tensorboard")
    files = [f for f in os.listdir(directory) if "tfevents" in f]
    if len(files) != 1:
        fail(f"{directory} holds {len(files)} event files, not 1: {files}")
    accumulator = event_accumulator.EventAccumulator(
        directory, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0})
    accumulator.Reload()
    return accumulator


def check_scalars(run, accumulator):
    """Every metrics.csv number is a scalar at its epoch; nothing else is."""
    rows = list(csv.DictReader(open(os.path.join(run, "metrics.csv"))))
    if not rows:
        fail(f"{run}: metrics.csv has no rows")
    expected = {}  # tag -> {epoch: value}
    for row in rows:
        for column, cell in row.items():
            if column != "epoch" and cell != "":
                expected.setdefault(column, {})[int(row["epoch"])] = float32(float(cell))
    tags = set(accumulator.Tags()["scalars"])
    if tags != set(expected):
        fail(f"{run}: scalar tags {sorted(tags)}, metrics.csv columns {sorted(expected)}")
    for tag, by_epoch in expected.items():
        events = accumulator.Scalars(tag)
        got = {event.step: event.value for event in events}
        if len(events) != len(got) or sorted(got) != sorted(by_epoch):
            fail(f"{run}: {tag} at steps {[e.step for e in events]}, epochs {sorted(by_epoch)}")
        for epoch, want in by_epoch.items():
            value = got[epoch]
            if not (value == want or (math.isnan(value) and math.isnan(want))):
                fail(f"{run}: {tag} at epoch {epoch} is {value}, metrics.csv says {want}")
    return rows


def check_hparams(run, accumulator, expected, status=api_pb2.STATUS_SUCCESS):
    content = accumulator.PluginTagToContent(metadata.PLUGIN_NAME)
    if set(content) != {metadata.SESSION_START_INFO_TAG, metadata.SESSION_END_INFO_TAG}:
        fail(f"{run}: hparams tags {sorted(content)}")
    start = metadata.parse_session_start_info_plugin_data(content[metadata.SESSION_START_INFO_TAG])
    hparams = {}
    for name, value in start.hparams.items():
        hparams[name] = getattr(value, value.WhichOneof("kind"))
    for name, want in expected.items():
        if hparams.get(name) != want:
            fail(f"{run}: hparam {name} is {hparams.get(name)!r}, expected {want!r}")
    if start.start_time_secs <= 0:
        fail(f"{run}: the session has no start time")
    end = metadata.parse_session_end_info_plugin_data(content[metadata.SESSION_END_INFO_TAG])
    if end.status != status or end.end_time_secs < start.start_time_secs:
        fail(f"{run}: session ended with status {end.status} at {end.end_time_secs}")
    return hparams


def check_run(run, expected_hparams, epochs):
    accumulator = load(run)
    rows = check_scalars(run, accumulator)
    if [int(r["epoch"]) for r in rows] != list(range(1, epochs + 1)):
        fail(f"{run}: metrics.csv has epochs {[r['epoch'] for r in rows]}, expected 1..{epochs}")
    return check_hparams(run, accumulator, expected_hparams)


with tempfile.TemporaryDirectory() as work:
    # Classification with a validation split every other epoch: those cells stay empty in
    # metrics.csv and have no scalar.
    run = os.path.join(work, "wine")
    train(run, "wine.yaml", "train.epochs=4", "train.validate_every=2", "train.optimizer.lr=0.002",
          "train.batch_size=8")
    hparams = check_run(run, {"name": "wine-mlp", "seed": 42.0, "train.optimizer.lr": 0.002,
                              "train.batch_size": 8.0, "train.optimizer.type": "adamw",
                              "model.layers": 4.0, "model.layers.0.units": 32.0,
                              "model.layers.2.rate": 0.2, "train.epochs": 4.0}, 4)
    if "train.cv.fold" in hparams:
        fail(f"{run}: train.cv.fold outside a cross-validation")

    # Regression, resumed into a new directory: the new run's file holds every epoch of its
    # metrics.csv, the checkpoint's too.
    first = os.path.join(work, "diabetes")
    train(first, "diabetes.yaml", "train.epochs=2")
    check_run(first, {"name": "diabetes-mlp", "train.epochs": 2.0}, 2)
    resumed = os.path.join(work, "diabetes-resumed")
    train(resumed, "diabetes.yaml", "train.epochs=4",
          resume=os.path.join(first, "checkpoints", "last.safetensors"))
    check_run(resumed, {"name": "diabetes-mlp", "train.epochs": 4.0}, 4)

    # Resumed in its own directory: the new event file replaces the earlier one.
    train(first, "diabetes.yaml", "train.epochs=5", resume="auto")
    check_run(first, {"train.epochs": 5.0}, 5)

    # An event file that cannot be written fails the run (exit 4) naming the path, and leaves
    # metrics.csv as it was.
    metrics = open(os.path.join(first, "metrics.csv")).read()
    blocked = os.path.join(first, "tensorboard")
    for name in os.listdir(blocked):
        os.remove(os.path.join(blocked, name))
    os.rmdir(blocked)
    open(blocked, "w").close()
    failed = subprocess.run([args.dlctl, "train", os.path.join(root, "configs", "diabetes.yaml"),
                             "-q", "--run-dir", first, "--resume", "auto", "--set",
                             "train.epochs=6"], capture_output=True, text=True)
    if failed.returncode != 4 or blocked not in failed.stderr:
        fail(f"a blocked tensorboard/: exit {failed.returncode}, {failed.stderr!r}")
    if open(os.path.join(first, "metrics.csv")).read() != metrics:
        fail("a failed event file changed metrics.csv")

    # Cross-validation: each fold is a run with an event file of its own.
    cv = os.path.join(work, "cv")
    train(cv, "breast_cancer.yaml", "train.epochs=2", "train.cv.folds=2",
          "data.split.validation=0")
    if os.path.exists(os.path.join(cv, "tensorboard")):
        fail(f"{cv}: the cross-validation's own directory has a tensorboard/")
    for fold in (1, 2):
        check_run(os.path.join(cv, "folds", f"fold-{fold}"), {"train.cv.fold": float(fold)}, 2)

    # Off: no directory at all.
    off = os.path.join(work, "off")
    train(off, "breast_cancer.yaml", "train.epochs=1", "output.tensorboard=false")
    if os.path.exists(os.path.join(off, "tensorboard")):
        fail(f"{off}: output.tensorboard: false still wrote tensorboard/")
    if not os.path.exists(os.path.join(off, "metrics.csv")):
        fail(f"{off}: no metrics.csv")

print("every event file matches its run's metrics.csv and settings")
